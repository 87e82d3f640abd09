#!/bin/sh
# Starts the service named by SERVICE (a folder at the repo root, e.g. checkout-service).
# exec makes node PID 1, so SIGTERM from `docker stop` or the kubelet reaches its handler.
set -eu
case "${SERVICE:-}" in
  "" | *[!a-z-]*)
    echo "SERVICE must name a service folder, e.g. SERVICE=checkout-service (got '${SERVICE:-}')" >&2
    exit 64
    ;;
esac
if [ ! -f "/app/$SERVICE/src/main.ts" ]; then
  echo "SERVICE=$SERVICE: there is no /app/$SERVICE/src/main.ts in this image" >&2
  exit 64
fi
cd /app
exec node --import tsx "$SERVICE/src/main.ts"
