#!/bin/sh
# Writes the passwords docker-compose.yml asks for into deployments/.env (or the file given),
# readable by its owner only. Each is 32 random bytes from /dev/urandom, hex; the payment
# provider's webhook signing secret takes the Standard Webhooks form instead (whsec_ + base64 of
# 32 random bytes). Idempotent: a name already in the file keeps its value (the databases and
# volumes were made with it), so run it again after pulling a compose file that needs a new one.
#
#   sh deployments/generate-secrets.sh && docker compose -f deployments/docker-compose.yml up -d
set -eu
file=${1:-"$(dirname "$0")/.env"}
umask 077
touch "$file"
chmod 600 "$file"
for name in \
  POSTGRES_PASSWORD CHECKOUT_DB_PASSWORD INVENTORY_DB_PASSWORD PAYMENT_DB_PASSWORD ORDERS_DB_PASSWORD PRODUCT_DB_PASSWORD \
  MONGO_ROOT_PASSWORD CART_MONGODB_PASSWORD \
  GATEWAY_REDIS_PASSWORD CART_REDIS_PASSWORD \
  KAFKA_ADMIN_PASSWORD KAFKA_BROKER_PASSWORD KAFKA_CONTROLLER_PASSWORD \
  CHECKOUT_KAFKA_PASSWORD ORDERS_KAFKA_PASSWORD CART_KAFKA_PASSWORD PAYMENT_KAFKA_PASSWORD OUTBOX_CLI_KAFKA_PASSWORD \
  JWT_SECRET; do
  if ! grep -q "^$name=" "$file"; then
    printf '%s=%s\n' "$name" "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >> "$file"
  fi
done
if ! grep -q "^PAYMENT_WEBHOOK_SECRET=" "$file"; then
  printf 'PAYMENT_WEBHOOK_SECRET=whsec_%s\n' "$(head -c 32 /dev/urandom | base64 | tr -d '\n')" >> "$file"
fi
echo "passwords in $file"
