#!/bin/bash
# The compose file's Kafka (apache/kafka image): every listener authenticates, ACLs decide.
# Writes server.properties from the KAFKA_* variables (the image's convention: KAFKA_FOO_BAR
# is foo.bar), adds the SASL logins, formats the storage once with the SCRAM users
# (kafka-storage format --add-scram: admin, one per service and the web app's "web"), then
# runs the broker. A storage formatted before a user existed gets it from the one-shot
# "kafka-users" step (users.sh).
# The ACLs are granted by the one-shot "kafka-acls" step (python -m ocop_shared.kafka_acl).
set -euo pipefail
: "${OCOP_KAFKA_ADMIN_PASSWORD:?}" "${OCOP_KAFKA_CONTROLLER_PASSWORD:?}"
: "${OCOP_REGISTRATION_KAFKA_PASSWORD:?}" "${OCOP_BOOTHS_KAFKA_PASSWORD:?}" "${OCOP_SALES_KAFKA_PASSWORD:?}"
: "${OCOP_WEB_KAFKA_PASSWORD:?}"
CONFIG=/tmp/ocop-kafka/server.properties
DATA=/var/lib/kafka/data
mkdir -p /tmp/ocop-kafka
umask 077
env | grep '^KAFKA_' | grep -v -E '^KAFKA_([A-Z_]*_OPTS|HOME|VERSION|DEBUG|JMX_PORT)=' | while IFS='=' read -r name value; do
    key=$(printf '%s' "${name#KAFKA_}" | tr 'A-Z' 'a-z' | sed -e 's/___/-/g' -e 's/__/@/g' -e 's/_/./g' -e 's/@/_/g')
    printf '%s=%s\n' "$key" "$value"
done >"$CONFIG"
cat >>"$CONFIG" <<PROPS
log.dirs=$DATA
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$OCOP_KAFKA_ADMIN_PASSWORD";
listener.name.external.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.external.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="$OCOP_KAFKA_CONTROLLER_PASSWORD" user_controller="$OCOP_KAFKA_CONTROLLER_PASSWORD";
PROPS
# What the health check's client uses.
cat >/tmp/ocop-kafka/admin.properties <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$OCOP_KAFKA_ADMIN_PASSWORD";
PROPS
if [ ! -f "$DATA/meta.properties" ]; then
    /opt/kafka/bin/kafka-storage.sh format -t "${CLUSTER_ID:-$(/opt/kafka/bin/kafka-storage.sh random-uuid)}" -c "$CONFIG" \
        --add-scram "SCRAM-SHA-512=[name=admin,password=$OCOP_KAFKA_ADMIN_PASSWORD]" \
        --add-scram "SCRAM-SHA-512=[name=registration,password=$OCOP_REGISTRATION_KAFKA_PASSWORD]" \
        --add-scram "SCRAM-SHA-512=[name=booths,password=$OCOP_BOOTHS_KAFKA_PASSWORD]" \
        --add-scram "SCRAM-SHA-512=[name=sales,password=$OCOP_SALES_KAFKA_PASSWORD]" \
        --add-scram "SCRAM-SHA-512=[name=web,password=$OCOP_WEB_KAFKA_PASSWORD]"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$CONFIG"
