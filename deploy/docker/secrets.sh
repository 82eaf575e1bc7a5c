#!/usr/bin/env bash
# Writes .env next to docker-compose.yml with a random value for every secret compose needs
# (mode 0600). An existing .env is kept: only the secrets it lacks are added (a secret that
# came after it was written, say the web app's), never one it has changed. The services and
# the web app run with OCOP_ENV=production, which refuses a missing, default or well-known
# secret: `docker compose up` needs these.
set -euo pipefail
ENV_FILE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.env"
random() { python3 -c 'import secrets; print(secrets.token_hex(24))'; }
NAMES=(OCOP_PG_ADMIN_PASSWORD OCOP_KAFKA_ADMIN_PASSWORD OCOP_KAFKA_CONTROLLER_PASSWORD)
for s in REGISTRATION BOOTHS SALES; do
    NAMES+=("OCOP_${s}_DB_PASSWORD" "OCOP_${s}_ADMIN_TOKEN" "OCOP_${s}_KAFKA_PASSWORD")
done
# The web app: its CSRF key (32+ characters) and its Kafka user's password.
NAMES+=(OCOP_WEB_SECRET OCOP_WEB_KAFKA_PASSWORD)
umask 077
if [ ! -f "$ENV_FILE" ]; then
    echo "# Secrets for docker compose (deploy/docker/secrets.sh): random, keep private." >"$ENV_FILE"
    new=1
else
    new=0
    [ -z "$(tail -c1 "$ENV_FILE")" ] || echo >>"$ENV_FILE"  # its last line ended
fi
added=()
for name in "${NAMES[@]}"; do
    grep -q "^${name}=" "$ENV_FILE" && continue
    echo "${name}=$(random)" >>"$ENV_FILE"
    added+=("$name")
done
chmod 600 "$ENV_FILE"
if [ "$new" = 1 ]; then
    echo "wrote $ENV_FILE" >&2
elif [ "${#added[@]}" -gt 0 ]; then
    echo "added to $ENV_FILE: ${added[*]}" >&2
else
    echo "$ENV_FILE has every secret; not touching it" >&2
fi
