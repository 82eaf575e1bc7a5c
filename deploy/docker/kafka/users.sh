#!/bin/bash
# The compose file's one-shot "kafka-users" step (apache/kafka image, once the broker is
# healthy): sets each client user's SCRAM-SHA-512 credential from .env, as the admin. A fresh
# broker has them already (start.sh formats them in); one formatted before a user existed
# (the web app's "web", added later) gets it here, and a password changed in .env takes
# effect. Idempotent. The users are ocop_shared.kafka_acl.PRINCIPALS (tests/test_compose.py).
set -euo pipefail
: "${OCOP_KAFKA_ADMIN_PASSWORD:?}"
USERS=(registration booths sales web)
umask 077
CONFIG=$(mktemp)
trap 'rm -f "$CONFIG"' EXIT
cat >"$CONFIG" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$OCOP_KAFKA_ADMIN_PASSWORD";
PROPS
for user in "${USERS[@]}"; do
    variable="OCOP_${user^^}_KAFKA_PASSWORD"
    password="${!variable:?$variable is required}"
    /opt/kafka/bin/kafka-configs.sh --bootstrap-server kafka:9092 --command-config "$CONFIG" \
        --alter --entity-type users --entity-name "$user" \
        --add-config "SCRAM-SHA-512=[password=$password]"
    echo "kafka-users: $user set" >&2
done
