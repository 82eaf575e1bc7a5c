#!/usr/bin/env bash
# The local stack without Docker: Apache Kafka (KRaft, assembled from Maven Central) and a
# PostgreSQL 15 cluster of the project's own, both on 127.0.0.1.
#
#   deploy/local/stack.sh start [kafka|postgres]   start (idempotent); returns when ready
#   deploy/local/stack.sh stop [kafka|postgres]    stop; leaves no process behind
#   deploy/local/stack.sh status                   what runs, where
#   deploy/local/stack.sh acls                     grant the Kafka ACLs again (ocop_shared.kafka_acl)
#
# Ports and folders come from the environment (defaults match shared settings and compose).
#
# Secrets: random ones, written to $STATE/secrets.env (mode 0600) and read from there by
# ./dev, the services (OCOP_SECRETS_FILE) and the test kit. Kafka authenticates every client
# with SASL/SCRAM-SHA-512 (one user per service and an admin, created when its storage is
# formatted) and authorizes with ACLs (granted through the admin client once it is up);
# PostgreSQL's admin password is random too. A Kafka storage formatted before authentication
# existed is formatted again (its topics are gone: the services create them again); a
# PostgreSQL cluster still on the old constant password gets a random one at its next start.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$REPO/deploy/local"
STATE=${OCOP_STATE_DIR:-$REPO/.local}
# Ports below the ephemeral range (32768+), so no client socket can hold them across a restart.
KAFKA_PORT=${OCOP_KAFKA_PORT:-29092}
CONTROLLER_PORT=${OCOP_KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
PG_PORT=${OCOP_PG_PORT:-25432}
PG_ADMIN=${OCOP_PG_ADMIN_USER:-ocop_admin}
SECRETS="$STATE/secrets.env"
# One user per service, the web app (a reader: ocop_shared.kafka_acl.READERS) and the admin.
KAFKA_USERS=(admin registration booths sales web)
PG_BIN=${OCOP_PG_BIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v postgres || echo /usr/bin/postgres)")}
KAFKA_HEAP=${OCOP_KAFKA_HEAP:-512m}

KAFKA_DIR="$STATE/kafka"
LIBS="$KAFKA_DIR/libs"

say() { printf '[stack] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# --- secrets -----------------------------------------------------------------------------

secret() { [ -f "$SECRETS" ] && sed -n "s/^$1=//p" "$SECRETS" | tail -n1; return 0; }

put_secret() {
    mkdir -p "$STATE"
    local tmp
    tmp=$(umask 077 && mktemp "$STATE/.secrets.XXXXXX")
    if [ -f "$SECRETS" ]; then
        grep -v "^$1=" "$SECRETS" >"$tmp" || true
    else
        printf '# Secrets of this local stack (deploy/local/stack.sh): random, mode 0600.\n' >"$tmp"
    fi
    printf '%s=%s\n' "$1" "$2" >>"$tmp"
    chmod 600 "$tmp"
    mv "$tmp" "$SECRETS"
}

random_secret() { python3 -c 'import secrets; print(secrets.token_hex(24))'; }

python_env() {
    if [ -x "$REPO/.venv/bin/python" ]; then "$REPO/.venv/bin/python" "$@"; else uv run --frozen python "$@"; fi
}

# --- Kafka -------------------------------------------------------------------------------

kafka_pid() {
    local pid
    [ -f "$KAFKA_DIR/kafka.pid" ] || return 1
    pid=$(cat "$KAFKA_DIR/kafka.pid")
    kill -0 "$pid" 2>/dev/null && grep -q kafka.Kafka "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

kafka_ready() { python3 "$HERE/kafka_probe.py" 127.0.0.1 "$KAFKA_PORT"; }

# The ACL table of ocop_shared.kafka_acl for the deployment's topics (prefix ""), as admin.
grant_acls() {
    local password
    password=$(secret OCOP_KAFKA_PASSWORD_ADMIN)
    [ -n "$password" ] || die "no Kafka admin password in $SECRETS"
    OCOP_ENV=development OCOP_SECRETS_FILE="$SECRETS" OCOP_KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT" \
        OCOP_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT OCOP_KAFKA_USERNAME=admin \
        OCOP_KAFKA_PASSWORD="$password" OCOP_TOPIC_PREFIX="" \
        python_env -m ocop_shared.kafka_acl apply --prefix "" \
        || die "granting Kafka ACLs failed"
}

# A user added to KAFKA_USERS after the storage was formatted (the web app's, say) has no
# secret yet: it gets its SCRAM credential through the admin on the running broker, then its
# secret. A failure is only a warning: that user's client stays out, everything else runs.
add_missing_users() {
    local user missing=() config password
    for user in "${KAFKA_USERS[@]}"; do
        [ -n "$(secret "OCOP_KAFKA_PASSWORD_${user^^}")" ] || missing+=("$user")
    done
    [ "${#missing[@]}" -gt 0 ] || return 0
    config=$(umask 077 && mktemp "$KAFKA_DIR/.admin-client.XXXXXX")
    printf '%s\n' "security.protocol=SASL_PLAINTEXT" "sasl.mechanism=SCRAM-SHA-512" \
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$(secret OCOP_KAFKA_PASSWORD_ADMIN)\";" \
        >"$config"
    for user in "${missing[@]}"; do
        password=$(random_secret)
        if "$@" kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
            --command-config "$config" --alter --entity-type users --entity-name "$user" \
            --add-config "SCRAM-SHA-512=[password=$password]" \
            >>"$KAFKA_DIR/logs/users.log" 2>&1; then
            put_secret "OCOP_KAFKA_PASSWORD_${user^^}" "$password"
            say "kafka: user $user added"
        else
            say "warning: adding Kafka user $user failed (see $KAFKA_DIR/logs/users.log); its client cannot connect"
        fi
    done
    rm -f "$config"
}

kafka_jars() {
    command -v java >/dev/null || die "Java 17 is required to run Kafka (install openjdk-17-jre-headless)."
    local stamp
    stamp=$(cksum <"$HERE/kafka/pom.xml" | cut -d' ' -f1)
    if [ -f "$LIBS/.stamp" ] && [ "$(cat "$LIBS/.stamp")" = "$stamp" ]; then
        return 0
    fi
    command -v mvn >/dev/null || die "Maven is required once, to fetch Kafka from Maven Central (install maven)."
    say "fetching Apache Kafka jars from Maven Central (once; cached in $LIBS)"
    rm -rf "$LIBS"
    mvn -B -q -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$LIBS" -DincludeScope=runtime >&2 || die "Maven could not fetch Kafka."
    echo "$stamp" >"$LIBS/.stamp"
}

start_kafka() {
    if kafka_pid >/dev/null; then
        kafka_ready && { say "kafka already running on 127.0.0.1:$KAFKA_PORT"; return 0; }
    fi
    kafka_jars
    mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
    if [ -f "$KAFKA_DIR/data/meta.properties" ] && [ -z "$(secret OCOP_KAFKA_PASSWORD_ADMIN)" ]; then
        say "kafka storage in $KAFKA_DIR/data has no users (it predates authentication): formatting it again; the services create their topics again"
        rm -rf "$KAFKA_DIR/data"
        mkdir -p "$KAFKA_DIR/data"
    fi
    local user fresh=0
    if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
        fresh=1
        for user in "${KAFKA_USERS[@]}"; do
            put_secret "OCOP_KAFKA_PASSWORD_${user^^}" "$(random_secret)"
        done
        put_secret OCOP_KAFKA_CONTROLLER_PASSWORD "$(random_secret)"
        put_secret OCOP_KAFKA_SECURITY_PROTOCOL SASL_PLAINTEXT
    fi
    (
        umask 077
        sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
            -e "s|@DATA_DIR@|$KAFKA_DIR/data|g" \
            -e "s|@ADMIN_PASSWORD@|$(secret OCOP_KAFKA_PASSWORD_ADMIN)|g" \
            -e "s|@CONTROLLER_PASSWORD@|$(secret OCOP_KAFKA_CONTROLLER_PASSWORD)|g" \
            "$HERE/kafka/server.properties.template" >"$KAFKA_DIR/server.properties"
    )
    chmod 600 "$KAFKA_DIR/server.properties"
    local jvm=(java "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true
        "-Dlog4j2.configurationFile=$HERE/kafka/log4j2.xml" "-Dkafka.logs.dir=$KAFKA_DIR/logs"
        -cp "$LIBS/*")
    if [ "$fresh" = 1 ]; then
        local cluster_id scram=()
        cluster_id=$("${jvm[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)
        for user in "${KAFKA_USERS[@]}"; do
            scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$(secret "OCOP_KAFKA_PASSWORD_${user^^}")]")
        done
        "${jvm[@]}" kafka.tools.StorageTool format -t "$cluster_id" \
            -c "$KAFKA_DIR/server.properties" -g "${scram[@]}" >"$KAFKA_DIR/logs/format.log" 2>&1 \
            || die "formatting Kafka storage failed: see $KAFKA_DIR/logs/format.log"
    fi
    say "starting kafka on 127.0.0.1:$KAFKA_PORT"
    nohup setsid "${jvm[@]}" kafka.Kafka "$KAFKA_DIR/server.properties" \
        >"$KAFKA_DIR/logs/stdout.log" 2>&1 </dev/null &
    echo $! >"$KAFKA_DIR/kafka.pid"
    local waited=0
    until kafka_ready; do
        kafka_pid >/dev/null || die "kafka exited while starting: see $KAFKA_DIR/logs/"
        sleep 0.5
        waited=$((waited + 1))
        [ "$waited" -lt 240 ] || die "kafka did not answer within 120 s: see $KAFKA_DIR/logs/"
    done
    [ "$fresh" = 1 ] || add_missing_users "${jvm[@]}"
    grant_acls
    say "kafka ready (SASL/SCRAM-SHA-512, ACLs; secrets in $SECRETS)"
}

stop_kafka() {
    local pid
    pid=$(kafka_pid) || { say "kafka not running"; rm -f "$KAFKA_DIR/kafka.pid"; return 0; }
    say "stopping kafka (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { say "kafka did not stop in 30 s; killing"; kill -KILL "$pid"; }
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    rm -f "$KAFKA_DIR/kafka.pid"
}

# --- PostgreSQL --------------------------------------------------------------------------

# The server refuses to run as root: as root, run it as an unprivileged user, with its
# cluster where that user can reach it.
if [ "$(id -u)" = 0 ]; then
    PG_OS_USER=${OCOP_PG_OS_USER:-postgres}
    id "$PG_OS_USER" >/dev/null 2>&1 || useradd --system --no-create-home "$PG_OS_USER"
    PG_DIR=${OCOP_PG_DIR:-$STATE/postgres}
    mkdir -p "$STATE"
    if ! runuser -u "$PG_OS_USER" -- test -x "$STATE"; then
        PG_DIR=/var/tmp/ocop-fairs-pg-$(printf '%s' "$REPO" | cksum | cut -d' ' -f1)
    fi
    as_pg() { (cd / && runuser -u "$PG_OS_USER" -- "$@"); }
else
    PG_DIR=${OCOP_PG_DIR:-$STATE/postgres}
    as_pg() { "$@"; }
fi
PG_DATA="$PG_DIR/data"

pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }
# The admin password: the environment's, else the secrets file's, else (a cluster created
# before the secrets file) the old constant, replaced by a random one at the next start.
pg_password() {
    if [ -n "${OCOP_PG_ADMIN_PASSWORD:-}" ]; then echo "$OCOP_PG_ADMIN_PASSWORD"; return; fi
    local recorded
    recorded=$(secret OCOP_PG_ADMIN_PASSWORD)
    echo "${recorded:-ocop-dev-admin}"
}
pg_ready() { PGPASSWORD=$(pg_password) psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_ADMIN" -d postgres -tAc 'select 1' >/dev/null 2>&1; }

start_postgres() {
    [ -x "$PG_BIN/postgres" ] || die "PostgreSQL 15 server binaries not found (set OCOP_PG_BIN or install postgresql-15)."
    if pg_running; then
        if pg_ready; then say "postgres already running on 127.0.0.1:$PG_PORT"; return 0; fi
        say "postgres runs but does not answer on 127.0.0.1:$PG_PORT; restarting it"
        stop_postgres
    fi
    mkdir -p "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$PG_DIR"
    local rotate=0
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        say "creating a PostgreSQL cluster in $PG_DATA"
        [ -n "${OCOP_PG_ADMIN_PASSWORD:-}" ] || put_secret OCOP_PG_ADMIN_PASSWORD "$(random_secret)"
        local pwfile
        pwfile=$(mktemp)
        pg_password >"$pwfile"
        [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$pwfile"
        as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_ADMIN" --pwfile="$pwfile" -E UTF8 \
            --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 \
            || { rm -f "$pwfile"; die "initdb failed: see $PG_DIR/initdb.log"; }
        rm -f "$pwfile"
        cat >>"$PG_DATA/postgresql.conf" <<CONF
# ocop-fairs local cluster
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 256MB
logging_collector = off
timezone = 'UTC'
CONF
    elif [ -z "${OCOP_PG_ADMIN_PASSWORD:-}" ] && [ -z "$(secret OCOP_PG_ADMIN_PASSWORD)" ]; then
        rotate=1
    fi
    say "starting postgres on 127.0.0.1:$PG_PORT"
    # Port and socket folder on the command line: they follow the settings, not initdb's day.
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/server.log" -o "-p $PG_PORT -k $PG_DIR" -w -t 60 start >/dev/null \
        || die "postgres did not start: see $PG_DIR/server.log"
    for _ in $(seq 1 60); do pg_ready && break; sleep 0.5; done
    pg_ready || die "postgres does not answer queries: see $PG_DIR/server.log"
    if [ "$rotate" = 1 ]; then
        # Through the server's own socket (local connections are trusted): a random password
        # replaces the constant one this cluster was created with.
        local fresh_password
        fresh_password=$(random_secret)
        printf "alter role \"%s\" with password '%s';\n" "$PG_ADMIN" "$fresh_password" \
            | as_pg psql -q -h "$PG_DIR" -p "$PG_PORT" -U "$PG_ADMIN" -d postgres -v ON_ERROR_STOP=1 >/dev/null \
            || die "could not set a random admin password"
        put_secret OCOP_PG_ADMIN_PASSWORD "$fresh_password"
        say "postgres admin password replaced by a random one (in $SECRETS)"
        pg_ready || die "postgres does not accept its new admin password"
    fi
    say "postgres ready"
}

stop_postgres() {
    pg_running || { say "postgres not running"; return 0; }
    say "stopping postgres"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
}

status() {
    if kafka_pid >/dev/null && kafka_ready; then
        echo "kafka      running  127.0.0.1:$KAFKA_PORT (pid $(kafka_pid))"
    else
        echo "kafka      stopped"
    fi
    if pg_running && pg_ready; then
        echo "postgres   running  127.0.0.1:$PG_PORT (data $PG_DATA)"
    else
        echo "postgres   stopped"
    fi
}

cmd=${1:-status}
what=${2:-all}
case "$cmd:$what" in
    start:all) start_postgres; start_kafka ;;
    start:kafka) start_kafka ;;
    start:postgres) start_postgres ;;
    stop:all) stop_kafka; stop_postgres ;;
    stop:kafka) stop_kafka ;;
    stop:postgres) stop_postgres ;;
    status:*) status ;;
    acls:*) grant_acls ;;
    *) echo "usage: $0 start|stop|status [kafka|postgres] | acls" >&2; exit 2 ;;
esac
