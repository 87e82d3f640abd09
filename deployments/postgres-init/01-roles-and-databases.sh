#!/usr/bin/env bash
# Runs once, when the postgres container initialises an empty data volume
# (docker-entrypoint-initdb.d): the services' roles and databases, with the passwords compose
# passes in from deployments/.env (deployments/generate-secrets.sh). psql variables keep them
# out of the SQL text and its quoting.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v checkout_password="$CHECKOUT_DB_PASSWORD" \
  -v inventory_password="$INVENTORY_DB_PASSWORD" \
  -v payment_password="$PAYMENT_DB_PASSWORD" \
  -v orders_password="$ORDERS_DB_PASSWORD" \
  -v product_password="$PRODUCT_DB_PASSWORD" \
  -f /docker-entrypoint-initdb.d/roles-and-databases.psql
