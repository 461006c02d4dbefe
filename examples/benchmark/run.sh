#!/usr/bin/env bash
# Tiered Archive benchmarks (issue 8): each figure of ours next to a reference measured in the same run, on the
# real stack (a Kafka broker, a Connect worker with the plugin, S3Proxy on local disk). See docs/benchmarks.md.
#
#   examples/benchmark/run.sh [--scale quick|full] [--repeats N] [--cases 1,2,...] [--keep-stack]
#
#   --scale quick   small data, a few minutes: for trying the harness. Default: full.
#   --repeats N     measurements per figure (default 3); the report gives the median and the spread.
#   --cases LIST    run only these case numbers (default: every script in examples/benchmark/cases/).
#   --profile       record a JFR profile (settings=profile) of the Connect worker for each case, and of each
#                   S3BenchTool JVM (cases 3 and 5), into the results folder as <case>.jfr / s3bench-*.jfr;
#                   examples/benchmark/hot.py FILE.jfr summarises one. About 1-2 % of CPU.
#   --quiet-load X  before the cases, wait (up to 5 minutes) until the 1-minute load average is below X, so that
#                   the build and the stack's start are not in the first figures; the load is recorded either way.
#   --no-warmup     cases 1-3 measure from their first round; by default each first runs one unmeasured
#                   round (case 3: pass) of ours (and in 1-2 of the reference): a warm worker does not pay JIT.
#   --keep-stack    leave the stack running at the end (stop it with: STACK_DIR=examples/benchmark/.stack
#                   examples/stack/stack.sh down, with the ports below).
#
# Results: examples/benchmark/results/<UTC time>/ (one JSON per figure, report.md, throughput.png, logs).
# Settings (environment): BENCH_SKIP_BUILD=1 (use the package already in distribution/target); the stack's ports
# BENCH_KAFKA_PORT (29092), BENCH_CONTROLLER_PORT (29093), BENCH_CONNECT_PORT (28083), BENCH_S3_PORT (28090).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/examples/benchmark"
STACK="$ROOT/examples/stack/stack.sh"
# The benchmark's own stack: never the quickstart's directory or ports.
export STACK_DIR="$HERE/.stack"
export KAFKA_PORT="${BENCH_KAFKA_PORT:-29092}" CONTROLLER_PORT="${BENCH_CONTROLLER_PORT:-29093}"
export CONNECT_PORT="${BENCH_CONNECT_PORT:-28083}" S3_PORT="${BENCH_S3_PORT:-28090}"
export S3_ACCESS_KEY=bench S3_SECRET_KEY=bench-secret

SCALE=full
REPEATS=3
CASES=""
KEEP_STACK=0
PROFILE=0
WARMUP=1
QUIET_LOAD=
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE="$2"; shift 2 ;;
    --repeats) REPEATS="$2"; shift 2 ;;
    --cases) CASES="$2"; shift 2 ;;
    --keep-stack) KEEP_STACK=1; shift ;;
    --profile) PROFILE=1; shift ;;
    --no-warmup) WARMUP=0; shift ;;
    --quiet-load) QUIET_LOAD="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$SCALE" in quick|full) ;; *) echo "--scale must be quick or full" >&2; exit 2 ;; esac
[[ "$REPEATS" =~ ^[1-9][0-9]*$ ]] || { echo "--repeats must be a positive number" >&2; exit 2; }

export BENCH_ROOT="$ROOT" BENCH_SCALE="$SCALE" BENCH_REPEATS="$REPEATS" BENCH_WARMUP="$WARMUP"
BENCH_OUT="$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)-$SCALE"
export BENCH_OUT BENCH_WORK="$STACK_DIR/work" BENCH_PROFILE="$PROFILE"
mkdir -p "$BENCH_OUT"
# shellcheck source=examples/benchmark/lib.sh
. "$HERE/lib.sh"

stop_stack() {
  local rc=$?
  if [ "$KEEP_STACK" = 1 ]; then
    log "the stack is still running (--keep-stack): Connect http://127.0.0.1:$CONNECT_PORT"
  else
    log "stopping the benchmark stack"
    "$STACK" down >/dev/null 2>&1 || true
  fi
  exit "$rc"
}

log "1/4 references: zstd, rclone, AWS CLI (Debian packages), Kafka's perf tools (Maven Central)"
missing=()
command -v zstd >/dev/null || missing+=(zstd)
command -v rclone >/dev/null || missing+=(rclone)
command -v aws >/dev/null || missing+=(awscli)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]} with apt-get"
    apt-get install -y -q "${missing[@]}" >"$BENCH_OUT/apt-get.log" 2>&1 \
      || { apt-get update -q >>"$BENCH_OUT/apt-get.log" 2>&1 && apt-get install -y -q "${missing[@]}" \
        >>"$BENCH_OUT/apt-get.log" 2>&1; } || die "apt-get install ${missing[*]} failed; see $BENCH_OUT/apt-get.log"
  else
    die "missing ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}"
  fi
fi

log "2/4 the plugin package and the stack (STACK_DIR=$STACK_DIR, Kafka :$KAFKA_PORT, Connect :$CONNECT_PORT, S3 :$S3_PORT)"
VERSION="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$ROOT/pom.xml" | head -n 1)"
PACKAGE="$ROOT/distribution/target/kafka-connect-tiered-archive-$VERSION.zip"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$PACKAGE" ]; then
  mvn -B -q -f "$ROOT/pom.xml" -DskipTests package -pl distribution -am
fi
[ -f "$PACKAGE" ] || die "no package at $PACKAGE"
trap stop_stack EXIT
"$STACK" down >/dev/null 2>&1 || true
"$STACK" reset >/dev/null 2>&1 || true
for port in "$KAFKA_PORT" "$CONTROLLER_PORT" "$CONNECT_PORT" "$S3_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is in use by another process (another benchmark run?); set BENCH_*_PORT (see --help)"
  fi
done
rm -rf "$STACK_DIR/plugins" "$BENCH_WORK"
mkdir -p "$STACK_DIR/plugins" "$BENCH_WORK"
(cd "$STACK_DIR/plugins" && jar xf "$PACKAGE")
"$STACK" up
eval "$("$STACK" env)"
export STACK_DIR KAFKA_BOOTSTRAP CONNECT_URL S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY KAFKA_CLASSPATH
PLUGIN_LIB="$(ls -d "$STACK_DIR"/plugins/kafka-connect-tiered-archive-*/lib)"
export BENCH_KAFKA_CP="$KAFKA_CLASSPATH"
export BENCH_JAVA_CP="$PLUGIN_LIB/*:$KAFKA_CLASSPATH"
grep -q 'kafka-tools-' <<<"$BENCH_KAFKA_CP" || die "the stack's classpath lacks kafka-tools (examples/stack/pom.xml)"
curl -sf "$CONNECT_URL/connector-plugins" | grep -q io.tieredarchive.sink.ArchiveSinkConnector \
  || die "the Connect worker did not load the plugin; see $STACK_DIR/connect.log"

if [ -n "$QUIET_LOAD" ]; then
  waited=0
  until awk -v max="$QUIET_LOAD" '{ exit !($1 < max) }' /proc/loadavg || [ "$waited" -ge 300 ]; do
    sleep 5; waited=$((waited + 5))
  done
  log "load average $(cut -d' ' -f1-3 /proc/loadavg) after waiting ${waited} s for it to fall below $QUIET_LOAD"
fi
log "3/4 cases (scale $SCALE, $REPEATS repeats) -> $BENCH_OUT"
{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "command=examples/benchmark/run.sh --scale $SCALE --repeats $REPEATS${CASES:+ --cases $CASES}$([ "$PROFILE" = 1 ] && echo ' --profile')$([ "$WARMUP" = 0 ] && echo ' --no-warmup')"
  echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpus=$(nproc)"
  echo "cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "memory=$(free -h | awk '/^Mem:/ { print $2 }')"
  echo "disk=$(df -h "$STACK_DIR" | awk 'NR == 2 { print $1 " " $2 " (" $5 " used)" }')"
  echo "kernel=$(uname -sr)"
  echo "jdk=$(java -version 2>&1 | head -n 1)"
  echo "load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$BENCH_OUT/machine.properties"
failed=()
for script in "$HERE"/cases/[0-9]*-*.sh; do
  name="$(basename "$script" .sh)"
  number="${name%%-*}"
  if [ -n "$CASES" ] && ! grep -qx "$number" <<<"${CASES//,/$'\n'}"; then continue; fi
  log "case $name"
  start=$SECONDS
  if [ "$PROFILE" = 1 ]; then
    jcmd "$(cat "$STACK_DIR/connect.pid")" JFR.start name="$name" settings=profile filename="$BENCH_OUT/$name.jfr" \
      >/dev/null
  fi
  if "$script" > >(tee "$BENCH_OUT/$name.log") 2>&1; then
    log "case $name done in $((SECONDS - start)) s"
  else
    log "case $name FAILED after $((SECONDS - start)) s; see $BENCH_OUT/$name.log"
    failed+=("$name")
  fi
  if [ "$PROFILE" = 1 ]; then jcmd "$(cat "$STACK_DIR/connect.pid")" JFR.stop name="$name" >/dev/null || true; fi
done
echo "load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$BENCH_OUT/machine.properties"

log "4/4 report"
python3 "$HERE/report.py" "$BENCH_OUT"
java -cp "$BENCH_JAVA_CP" "$HERE/drivers/Plot.java" "$BENCH_OUT" "$BENCH_OUT/throughput.png" \
  || log "the plot failed (the report is still there)"
cat "$BENCH_OUT/report.md"
log "results: $BENCH_OUT"
if [ ${#failed[@]} -gt 0 ]; then
  log "failed cases: ${failed[*]}"
  exit 1
fi
