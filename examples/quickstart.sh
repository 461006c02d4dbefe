#!/usr/bin/env bash
# Tiered Archive quickstart: archive a topic to S3, age it off local disk, replay it into a new topic, and check
# that the copy equals the original, record by record. Everything runs on this machine as real processes from
# Maven Central jars (a Kafka broker, a Kafka Connect worker, S3Proxy), driven through Connect's REST API.
#
#   examples/quickstart.sh           run it (a second run starts from a clean stack; no cleanup by hand)
#   examples/quickstart.sh --down    stop the stack
#
# Needs only a JDK 17+ and Maven. Settings (environment): QUICKSTART_RECORDS (default 20000),
# QUICKSTART_SKIP_BUILD=1 (use the package already in distribution/target), STACK_DIR and the ports of
# examples/stack/stack.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export STACK_DIR="${STACK_DIR:-$ROOT/examples/.quickstart}"
STACK="$ROOT/examples/stack/stack.sh"
RECORDS="${QUICKSTART_RECORDS:-20000}"
PARTITIONS=4
TOPIC=orders
BUCKET=archive
PREFIX=quickstart

if [ "${1:-}" = "--down" ]; then
  exec "$STACK" down
fi

say() { printf '\n== %s\n' "$*"; }
fail() { printf '\nquickstart FAILED: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }
T0=$(now)

say "1/9 building the plugin package"
VERSION="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$ROOT/pom.xml" | head -n 1)"
PACKAGE="$ROOT/distribution/target/kafka-connect-tiered-archive-$VERSION.zip"
if [ "${QUICKSTART_SKIP_BUILD:-0}" != "1" ]; then
  mvn -B -q -f "$ROOT/pom.xml" -DskipTests package -pl distribution -am
fi
[ -f "$PACKAGE" ] || fail "no package at $PACKAGE"
T_BUILD=$(now)

say "2/9 starting a fresh stack: Kafka broker (KRaft), Connect worker (distributed), S3Proxy"
"$STACK" reset >/dev/null 2>&1 || true
"$STACK" down >/dev/null 2>&1 || true
rm -rf "$STACK_DIR/plugins"
mkdir -p "$STACK_DIR/plugins"

say "3/9 installing the plugin into the worker's plugin.path"
(cd "$STACK_DIR/plugins" && jar xf "$PACKAGE")
echo "installed $(basename "$PACKAGE") into $STACK_DIR/plugins"
"$STACK" up
eval "$("$STACK" env)"
PLUGIN_LIB="$(ls -d "$STACK_DIR"/plugins/kafka-connect-tiered-archive-*/lib)"
TOOL=(java -cp "$KAFKA_CLASSPATH:$PLUGIN_LIB/*" "$ROOT/examples/quickstart/QuickstartTool.java")
curl -sf "$CONNECT_URL/connector-plugins" | tr ',' '\n' | grep -o 'io.tieredarchive[A-Za-z.]*' | sed 's/^/  plugin: /'
T_STACK=$(now)

say "4/9 producing $RECORDS JSON order events with keys and headers to '$TOPIC' ($PARTITIONS partitions)"
"${TOOL[@]}" create-bucket "$S3_ENDPOINT" "$S3_ACCESS_KEY" "$S3_SECRET_KEY" "$BUCKET"
read -r PRODUCED PRODUCED_BYTES < <("${TOOL[@]}" produce "$KAFKA_BOOTSTRAP" "$TOPIC" "$PARTITIONS" "$RECORDS")
echo "produced $PRODUCED records, $PRODUCED_BYTES bytes of keys and values"
T_PRODUCE=$(now)

put_connector() { # name, json
  local code
  code=$(curl -s -o "$STACK_DIR/$1.response" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
    --data "$2" "$CONNECT_URL/connectors/$1/config")
  case "$code" in 200|201) echo "PUT /connectors/$1/config -> $code" ;;
    *) cat "$STACK_DIR/$1.response" >&2; fail "Connect refused $1 ($code)" ;; esac
}

# What the sink and the replay connector share: raw bytes in and out, the same archive in S3.
ARCHIVE_KEYS=$(cat <<EOF
  "key.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
  "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
  "header.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
  "s3.bucket": "$BUCKET",
  "s3.prefix": "$PREFIX",
  "s3.endpoint": "$S3_ENDPOINT",
  "s3.path.style.access": "true",
  "s3.access.key.id": "$S3_ACCESS_KEY",
  "s3.secret.access.key": "$S3_SECRET_KEY",
EOF
)

connector_failed() { curl -s "$CONNECT_URL/connectors/$1/status" | grep -q '"state":"FAILED"'; }

say "5/9 posting the archive sink connector"
LOCAL_DIR="$STACK_DIR/archive-local"
put_connector orders-archive "$(cat <<EOF
{
  "connector.class": "io.tieredarchive.sink.ArchiveSinkConnector",
  "tasks.max": "2",
  "topics": "$TOPIC",
$ARCHIVE_KEYS
  "local.dir": "$LOCAL_DIR",
  "kafka.bootstrap.servers": "$KAFKA_BOOTSTRAP",
  "segment.bytes": "524288",
  "segment.ms": "5000",
  "batch.bytes": "262144",
  "compression.type": "zstd",
  "commit.mode": "remote",
  "local.retention.ms": "0"
}
EOF
)"

say "6/9 waiting until every record is in S3 and the local copies have aged out"
deadline=$(( $(now) + ${QUICKSTART_ARCHIVE_TIMEOUT:-300} ))
while :; do
  read -r IN_S3 SEGMENTS LOG_BYTES LOCAL_LOGS < <("${TOOL[@]}" archive-status "$S3_ENDPOINT" "$S3_ACCESS_KEY" \
    "$S3_SECRET_KEY" "$BUCKET" "$PREFIX" "$TOPIC" "$LOCAL_DIR")
  printf '  archived in S3: %6d / %d records, %3d segments, %8d bytes; local segment files left: %d\n' \
    "$IN_S3" "$PRODUCED" "$SEGMENTS" "$LOG_BYTES" "$LOCAL_LOGS"
  [ "$IN_S3" -ge "$PRODUCED" ] && [ "$LOCAL_LOGS" -eq 0 ] && break
  connector_failed orders-archive && fail "the sink failed: $(curl -s "$CONNECT_URL/connectors/orders-archive/status")"
  [ "$(now)" -lt "$deadline" ] || fail "archive not complete in time; see $STACK_DIR/connect.log"
  sleep 3
done
[ "$IN_S3" -eq "$PRODUCED" ] || fail "S3 holds $IN_S3 records for $PRODUCED produced: duplicates"
echo "tiering service: $(curl -s "$CONNECT_URL/tiered-archive/stats")"
T_ARCHIVE=$(now)

say "7/9 posting the replay connector: '$TOPIC' -> '$TOPIC.restored'"
put_connector orders-replay "$(cat <<EOF
{
  "connector.class": "io.tieredarchive.source.ArchiveReplaySourceConnector",
  "tasks.max": "2",
$ARCHIVE_KEYS
  "replay.topics": "$TOPIC",
  "replay.topic.format": "\${topic}.restored",
  "replay.partitioning": "preserve",
  "kafka.bootstrap.servers": "$KAFKA_BOOTSTRAP",
  "topic.creation.default.replication.factor": "1",
  "topic.creation.default.partitions": "$PARTITIONS"
}
EOF
)"
deadline=$(( $(now) + ${QUICKSTART_REPLAY_TIMEOUT:-300} ))
while :; do
  REPLAYED=$("${TOOL[@]}" count "$KAFKA_BOOTSTRAP" "$TOPIC.restored")
  printf '  replayed: %6d / %d records\n' "$REPLAYED" "$PRODUCED"
  [ "$REPLAYED" -ge "$PRODUCED" ] && break
  connector_failed orders-replay && fail "the replay failed: $(curl -s "$CONNECT_URL/connectors/orders-replay/status")"
  [ "$(now)" -lt "$deadline" ] || fail "replay not complete in time; see $STACK_DIR/connect.log"
  sleep 2
done
T_REPLAY=$(now)

say "8/9 comparing '$TOPIC.restored' with '$TOPIC' record by record"
COMPARED=$("${TOOL[@]}" compare "$KAFKA_BOOTSTRAP" "$TOPIC" "$TOPIC.restored") || fail "$COMPARED"
echo "identical: $COMPARED records (partition, order, key, value, headers, timestamp)"

say "9/9 report"
awk -v r="$PRODUCED" -v b="$PRODUCED_BYTES" -v s="$LOG_BYTES" -v seg="$SEGMENTS" \
    -v tb=$((T_BUILD - T0)) -v ts=$((T_STACK - T_BUILD)) -v tp=$((T_PRODUCE - T_STACK)) \
    -v ta=$((T_ARCHIVE - T_PRODUCE)) -v tr=$((T_REPLAY - T_ARCHIVE)) 'BEGIN {
  printf "  records                 %d\n", r
  printf "  key+value bytes         %d (%.1f MB)\n", b, b / 1e6
  printf "  archived .log bytes     %d in %d segments (zstd)\n", s, seg
  printf "  compression ratio       %.2f x\n", (s > 0 ? b / s : 0)
  printf "  times (s)               build %d, stack %d, produce %d, archive+tier %d, replay %d\n", tb, ts, tp, ta, tr
}'
echo
echo "The stack is still running: Connect $CONNECT_URL, Kafka $KAFKA_BOOTSTRAP, S3 $S3_ENDPOINT."
echo "Try: curl $CONNECT_URL/tiered-archive/segments/$TOPIC/0   |   stop it with: examples/quickstart.sh --down"
echo "quickstart OK"
