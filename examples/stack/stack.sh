#!/usr/bin/env bash
# A real local stack, as processes from Maven Central jars: a Kafka broker (KRaft, combined broker+controller),
# a Kafka Connect worker in distributed mode, and S3Proxy (a real S3 server on local files).
#
#   examples/stack/stack.sh up        start whatever is not running (first run: resolves jars, formats storage)
#   examples/stack/stack.sh down      stop everything this stack started
#   examples/stack/stack.sh reset     down, then delete the stack's data (topics, S3 objects, worker state)
#   examples/stack/stack.sh status    one line per process
#   examples/stack/stack.sh env       the addresses, as shell assignments (eval "$(stack.sh env)")
#
# Everything lives under STACK_DIR (default examples/.quickstart). Plugins are loaded from STACK_DIR/plugins.
# Ports (loopback only) can be moved with KAFKA_PORT, CONTROLLER_PORT, CONNECT_PORT, S3_PORT.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/examples/.quickstart}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
CONTROLLER_PORT="${CONTROLLER_PORT:-19093}"
CONNECT_PORT="${CONNECT_PORT:-18083}"
S3_PORT="${S3_PORT:-18090}"
S3_ACCESS_KEY="${S3_ACCESS_KEY:-quickstart}"
S3_SECRET_KEY="${S3_SECRET_KEY:-quickstart-secret}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [ -f "$STACK_DIR/$1.pid" ] && kill -0 "$(cat "$STACK_DIR/$1.pid")" 2>/dev/null; }

wait_for() { # name, seconds, command...
  local name="$1" secs="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      die "$name did not come up within ${secs}s; see $STACK_DIR/$name.log"
    fi
    if ! pid_alive "$name"; then
      tail -n 30 "$STACK_DIR/$name.log" >&2 || true
      die "$name exited; see $STACK_DIR/$name.log"
    fi
    sleep 1
  done
}

resolve_jars() {
  if [ -s "$STACK_DIR/kafka.classpath" ] && [ -s "$STACK_DIR/s3proxy.jar" ]; then
    return
  fi
  log "resolving Kafka $(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/pom.xml") and S3Proxy from Maven Central"
  mkdir -p "$STACK_DIR"
  mvn -B -q -f "$ROOT/examples/stack/pom.xml" generate-resources -Dstack.dir="$STACK_DIR" >&2
}

write_log4j() {
  cat >"$STACK_DIR/log4j2.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="out" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Logger name="org.apache.kafka" level="WARN"/>
    <Logger name="kafka" level="WARN"/>
    <Logger name="org.apache.kafka.connect.runtime.rest" level="WARN"/>
    <Logger name="org.apache.kafka.connect.runtime.Worker" level="INFO"/>
    <Logger name="org.apache.kafka.connect.runtime.distributed.DistributedHerder" level="INFO"/>
    <Logger name="io.tieredarchive" level="INFO"/>
    <Root level="INFO"><AppenderRef ref="out"/></Root>
  </Loggers>
</Configuration>
EOF
}

start_process() { # name, java args...
  local name="$1"; shift
  log "starting $name (log: $STACK_DIR/$name.log)"
  nohup "$JAVA" "$@" >"$STACK_DIR/$name.log" 2>&1 &
  echo $! >"$STACK_DIR/$name.pid"
}

start_broker() {
  pid_alive broker && return
  local cp; cp="$(cat "$STACK_DIR/kafka.classpath")"
  mkdir -p "$STACK_DIR/kafka-data"
  cat >"$STACK_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$STACK_DIR/kafka-data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  if [ ! -f "$STACK_DIR/kafka-data/meta.properties" ]; then
    log "formatting KRaft storage"
    local cluster_id
    cluster_id="$("$JAVA" -cp "$cp" kafka.tools.StorageTool random-uuid)"
    "$JAVA" -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$STACK_DIR/server.properties" \
      --standalone >"$STACK_DIR/format.log" 2>&1 || { cat "$STACK_DIR/format.log" >&2; die "storage format failed"; }
  fi
  start_process broker -Xmx1g -Dlog4j2.configurationFile="$STACK_DIR/log4j2.xml" -cp "$cp" \
    kafka.Kafka "$STACK_DIR/server.properties"
  wait_for broker 90 port_open "$KAFKA_PORT"
}

start_s3() {
  pid_alive s3proxy && return
  mkdir -p "$STACK_DIR/s3-data"
  cat >"$STACK_DIR/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$STACK_DIR/s3-data
EOF
  start_process s3proxy -Xmx512m -jar "$STACK_DIR/s3proxy.jar" --properties "$STACK_DIR/s3proxy.properties"
  wait_for s3proxy 60 port_open "$S3_PORT"
}

connect_ready() { curl -sf "http://127.0.0.1:$CONNECT_PORT/connectors" >/dev/null 2>&1; }

start_connect() {
  pid_alive connect && return
  local cp; cp="$(cat "$STACK_DIR/kafka.classpath")"
  mkdir -p "$STACK_DIR/plugins"
  local extensions=""
  if ls "$STACK_DIR"/plugins/*/lib/tiered-archive-manager-*.jar >/dev/null 2>&1; then
    extensions="rest.extension.classes=io.tieredarchive.rest.TieredArchiveRestExtension
tiered.archive.rest.restore.root=$STACK_DIR/restores"
  fi
  cat >"$STACK_DIR/connect.properties" <<EOF
bootstrap.servers=127.0.0.1:$KAFKA_PORT
group.id=tiered-archive-quickstart
listeners=http://127.0.0.1:$CONNECT_PORT
key.converter=org.apache.kafka.connect.converters.ByteArrayConverter
value.converter=org.apache.kafka.connect.converters.ByteArrayConverter
header.converter=org.apache.kafka.connect.converters.ByteArrayConverter
config.storage.topic=_connect-configs
offset.storage.topic=_connect-offsets
status.storage.topic=_connect-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
offset.flush.interval.ms=5000
plugin.path=$STACK_DIR/plugins
plugin.discovery=service_load
$extensions
EOF
  start_process connect -Xmx1g -Dlog4j2.configurationFile="$STACK_DIR/log4j2.xml" -cp "$cp" \
    org.apache.kafka.connect.cli.ConnectDistributed "$STACK_DIR/connect.properties"
  wait_for connect 120 connect_ready
}

stop_process() {
  local name="$1"
  if pid_alive "$name"; then
    local pid; pid="$(cat "$STACK_DIR/$name.pid")"
    log "stopping $name ($pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$STACK_DIR/$name.pid"
}

cmd="${1:-}"
case "$cmd" in
  up)
    command -v curl >/dev/null || die "curl is needed"
    resolve_jars
    write_log4j
    start_broker
    start_s3
    start_connect
    log "up: Kafka 127.0.0.1:$KAFKA_PORT, Connect http://127.0.0.1:$CONNECT_PORT, S3 http://127.0.0.1:$S3_PORT"
    ;;
  down)
    for p in connect s3proxy broker; do stop_process "$p"; done
    ;;
  reset)
    for p in connect s3proxy broker; do stop_process "$p"; done
    rm -rf "$STACK_DIR/kafka-data" "$STACK_DIR/s3-data" "$STACK_DIR"/archive-* "$STACK_DIR"/*.log
    ;;
  status)
    for p in broker s3proxy connect; do
      if pid_alive "$p"; then echo "$p: running (pid $(cat "$STACK_DIR/$p.pid"))"; else echo "$p: stopped"; fi
    done
    ;;
  env)
    echo "STACK_DIR='$STACK_DIR'"
    echo "KAFKA_BOOTSTRAP='127.0.0.1:$KAFKA_PORT'"
    echo "CONNECT_URL='http://127.0.0.1:$CONNECT_PORT'"
    echo "S3_ENDPOINT='http://127.0.0.1:$S3_PORT'"
    echo "S3_ACCESS_KEY='$S3_ACCESS_KEY'"
    echo "S3_SECRET_KEY='$S3_SECRET_KEY'"
    echo "KAFKA_CLASSPATH='$(cat "$STACK_DIR/kafka.classpath" 2>/dev/null)'"
    ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
