#!/usr/bin/env bash
# Writes .env next to docker-compose.yml with a random value for every secret compose needs
# (mode 0600; an existing .env is kept). The services run with OCOP_ENV=production, which
# refuses a missing, default or well-known secret: `docker compose up` needs these.
set -euo pipefail
ENV_FILE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.env"
if [ -f "$ENV_FILE" ]; then echo "$ENV_FILE exists; not touching it" >&2; exit 0; fi
random() { python3 -c 'import secrets; print(secrets.token_hex(24))'; }
umask 077
{
    echo "# Secrets for docker compose (deploy/docker/secrets.sh): random, keep private."
    echo "OCOP_PG_ADMIN_PASSWORD=$(random)"
    echo "OCOP_KAFKA_ADMIN_PASSWORD=$(random)"
    echo "OCOP_KAFKA_CONTROLLER_PASSWORD=$(random)"
    for s in REGISTRATION BOOTHS SALES; do
        echo "OCOP_${s}_DB_PASSWORD=$(random)"
        echo "OCOP_${s}_ADMIN_TOKEN=$(random)"
        echo "OCOP_${s}_KAFKA_PASSWORD=$(random)"
    done
} >"$ENV_FILE"
chmod 600 "$ENV_FILE"
echo "wrote $ENV_FILE" >&2
