#!/usr/bin/env bash
# Helpers shared by the benchmark case scripts (examples/benchmark/cases/*.sh). Source it:
#   . "$BENCH_ROOT/examples/benchmark/lib.sh"
# It expects the environment run.sh gives every case: BENCH_ROOT, BENCH_OUT, BENCH_WORK, BENCH_SCALE,
# BENCH_REPEATS, BENCH_JAVA_CP, BENCH_KAFKA_CP and the stack's KAFKA_BOOTSTRAP, CONNECT_URL, S3_ENDPOINT,
# S3_ACCESS_KEY, S3_SECRET_KEY, STACK_DIR. Nothing here starts or stops the stack: run.sh does.

# --- logging and time ------------------------------------------------------------------------------------------
log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }

# scale_pick QUICK FULL: the first value at --scale quick, the second otherwise.
scale_pick() { if [ "${BENCH_SCALE:-full}" = quick ]; then echo "$1"; else echo "$2"; fi; }

# --- arithmetic on lists of numbers (awk, so decimals work) ----------------------------------------------------
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
  if (NR == 0) exit 1; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# rate BYTES MILLIS: MB/s (10^6 bytes per second), 3 decimals.
mb_per_s() { awk -v b="$1" -v ms="$2" 'BEGIN { if (ms <= 0) ms = 1; printf "%.3f", b / 1e6 / (ms / 1000) }'; }
# per_s COUNT MILLIS: count per second, 3 decimals.
per_s() { awk -v n="$1" -v ms="$2" 'BEGIN { if (ms <= 0) ms = 1; printf "%.3f", n / (ms / 1000) }'; }
# ratio A B: A / B, 4 decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) { print "nan"; exit } printf "%.4f", a / b }'; }

# --- results ---------------------------------------------------------------------------------------------------
# write_result CASE ID key=value... : writes $BENCH_OUT/CASE-ID.json in the contract's format.
#   Keys: what, unit, reference, target (text, e.g. ">= 0.7x"), target_op (">=" | "<="), target_ratio,
#   target_abs, higher_is_better (true|false), ours="v1 v2 v3", ref="v1 v2 v3" (space-separated numbers), notes.
write_result() {
  local case_no="$1" id="$2"; shift 2
  mkdir -p "$BENCH_OUT"
  python3 - "$BENCH_OUT/$case_no-$id.json" "$case_no" "$id" "$@" <<'PY'
import json, sys
path, case_no, fid = sys.argv[1], int(sys.argv[2]), sys.argv[3]
doc = {"case": case_no, "id": fid}
for kv in sys.argv[4:]:
    k, _, v = kv.partition("=")
    if k in ("ours", "ref"):
        doc[k] = [float(x) for x in v.split()]
    elif k in ("target_ratio", "target_abs"):
        doc[k] = float(v)
    elif k == "higher_is_better":
        doc[k] = v == "true"
    else:
        doc[k] = v
doc.setdefault("ours", []); doc.setdefault("ref", [])
with open(path, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
PY
  log "result: $BENCH_OUT/$case_no-$id.json"
}

# --- Connect REST ----------------------------------------------------------------------------------------------
# connect_put NAME JSON: creates or updates a connector; fails with Connect's answer if refused.
connect_put() {
  local name="$1" json="$2" code resp="$BENCH_WORK/connect-$1.response"
  mkdir -p "$BENCH_WORK"
  code=$(curl -s -o "$resp" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
    --data "$json" "$CONNECT_URL/connectors/$name/config")
  case "$code" in
    200|201) log "PUT connector $name -> $code" ;;
    *) cat "$resp" >&2; die "Connect refused connector $name ($code)" ;;
  esac
}

# connect_delete NAME: deletes a connector (if present) and waits until Connect no longer lists it.
connect_delete() {
  local name="$1" i
  curl -s -o /dev/null -X DELETE "$CONNECT_URL/connectors/$name" || true
  for i in $(seq 1 60); do
    curl -sf "$CONNECT_URL/connectors/$name" >/dev/null 2>&1 || return 0
    sleep 1
  done
  die "connector $name still listed 60 s after DELETE"
}

connector_status() { curl -s "$CONNECT_URL/connectors/$1/status"; }

# connector_failed NAME: true when the connector or one of its tasks is FAILED.
connector_failed() { connector_status "$1" | grep -q '"state":"FAILED"'; }

# fail_if_connector_failed NAME: dies with the status (trace included) if FAILED.
fail_if_connector_failed() {
  if connector_failed "$1"; then die "connector $1 FAILED: $(connector_status "$1")"; fi
}

# wait_for_task_running NAME [SECONDS]: waits until the connector and all its tasks (at least one) are RUNNING.
wait_for_task_running() {
  local name="$1" secs="${2:-120}" status deadline
  deadline=$((SECONDS + secs))
  while :; do
    status="$(connector_status "$name")"
    if python3 -c 'import json,sys
s = json.loads(sys.argv[1])
ok = s.get("connector", {}).get("state") == "RUNNING" and s.get("tasks") and all(t["state"] == "RUNNING" for t in s["tasks"])
sys.exit(0 if ok else 1)' "$status" 2>/dev/null; then
      return 0
    fi
    fail_if_connector_failed "$name"
    [ "$SECONDS" -lt "$deadline" ] || die "connector $name not RUNNING after ${secs}s: $status"
    sleep 1
  done
}

# --- Kafka tools (from the stack's classpath, which includes kafka-tools) ------------------------------------
# kafka_tool CLASS ARGS...: e.g. kafka_tool org.apache.kafka.tools.ProducerPerformance --topic t ...
kafka_tool() {
  local cls="$1"; shift
  java -Xmx1g -Dlog4j2.configurationFile="$STACK_DIR/log4j2.xml" -cp "$BENCH_KAFKA_CP" "$cls" "$@"
}

# topic_create NAME PARTITIONS [CONFIG=VALUE...]: creates a topic (replication 1); deletes it first if present.
topic_create() {
  local name="$1" partitions="$2"; shift 2
  local configs=() c
  for c in "$@"; do configs+=(--config "$c"); done
  topic_delete "$name"
  kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --create --topic "$name" \
    --partitions "$partitions" --replication-factor 1 "${configs[@]}" >/dev/null
}

# topic_delete NAME: deletes a topic if it exists and waits until it is gone.
topic_delete() {
  local name="$1" i
  if kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --list 2>/dev/null \
      | grep -qx "$name"; then
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --delete --topic "$name" \
      >/dev/null
    for i in $(seq 1 60); do
      kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --list 2>/dev/null \
        | grep -qx "$name" || return 0
      sleep 1
    done
    die "topic $name still there 60 s after delete"
  fi
}

# topic_end_offsets TOPIC: "partition end_offset" lines.
topic_end_offsets() {
  kafka_tool org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$KAFKA_BOOTSTRAP" --topic "$1" --time -1 \
    | awk -F: '{ print $2, $3 }'
}

# topic_record_count TOPIC: the sum of end offsets (records, for a topic that was never trimmed).
topic_record_count() { topic_end_offsets "$1" | awk '{ s += $2 } END { print s + 0 }'; }

# --- S3 with the AWS CLI (path-style addressing, the stack's keys) --------------------------------------------
# aws_s3 ARGS...: the AWS CLI against the stack's S3 server, e.g. aws_s3 s3 mb s3://bucket
aws_s3() {
  local cfg="$BENCH_WORK/aws-config"
  mkdir -p "$BENCH_WORK"
  if [ ! -f "$cfg" ]; then
    printf '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n' >"$cfg"
  fi
  AWS_CONFIG_FILE="$cfg" AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY" \
    AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" aws --endpoint-url "$S3_ENDPOINT" "$@"
}

# s3_bucket_create BUCKET: creates a bucket on the stack's S3 server (no error if it exists).
s3_bucket_create() { aws_s3 s3 mb "s3://$1" >/dev/null 2>&1 || aws_s3 s3api head-bucket --bucket "$1" >/dev/null; }

# --- JVM memory ------------------------------------------------------------------------------------------------
# jvm_heap_used_mib PID: the heap in use now (all generations), MiB, from jstat.
jvm_heap_used_mib() {
  jstat -gc "$1" | awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
    NR == 2 { u = $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"]; printf "%.1f", u / 1024 }'
}

# jvm_gc_log_on PID FILE / jvm_gc_log_off PID FILE: the JVM's GC log (one line per collection) into FILE, at run time.
jvm_gc_log_on() { rm -f "$2"; jcmd "$1" VM.log output="$2" what=gc=info decorators=none >/dev/null; }
jvm_gc_log_off() { jcmd "$1" VM.log output="$2" what=all=off >/dev/null || true; }
# jvm_live_heap_mib PID FILE: forces a full GC and prints the heap it left (MiB), as the collector logged it into
# FILE (jvm_gc_log_on first). Not jstat after the GC: jstat reads a second later (a JVM of its own starts), and counts
# what the JVM allocated since, all of it garbage: a stream copy allocates about 4 bytes per byte it copies.
jvm_live_heap_mib() {
  local before
  before=$(grep -c 'Pause Full (Diagnostic Command)' "$2" || true)
  jcmd "$1" GC.run >/dev/null
  awk -v before="$before" '/Pause Full \(Diagnostic Command\)/ { n++; line = $0 }
    END { if (n <= before || !match(line, /->[0-9]+M/)) exit 1
          printf "%.1f", substr(line, RSTART + 2, RLENGTH - 3) }' "$2" \
    || die "no full GC of JVM $1 logged in $2"
}

# connect_pid: the pid of the stack's Connect worker.
connect_pid() { cat "$STACK_DIR/connect.pid"; }

# --- the Java driver of cases 1, 2, 6, 7, 8 (drivers/BenchTool.java), compiled once per run -------------------------
# bench_tool COMMAND ARGS...: see drivers/BenchTool.java. BENCH_TOOL_READY=FILE makes a waiting command create
# FILE once it is polling (wait_for_file FILE waits for it).
bench_tool() {
  local classes="$BENCH_WORK/classes"
  if [ ! -f "$classes/BenchTool.class" ]; then
    mkdir -p "$classes"
    javac -nowarn -d "$classes" -cp "$BENCH_JAVA_CP" "$BENCH_ROOT/examples/benchmark/drivers/BenchTool.java"
  fi
  java -Xmx512m ${BENCH_TOOL_READY:+-Dready.file="$BENCH_TOOL_READY"} -cp "$classes:$BENCH_JAVA_CP" BenchTool "$@"
}

# wait_for_file FILE [SECONDS]
wait_for_file() {
  local deadline=$((SECONDS + ${2:-60}))
  until [ -e "$1" ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "$1 did not appear within ${2:-60}s"
    sleep 0.1
  done
}

# archive_sink_json NAME TOPIC BUCKET LOCAL_DIR [KEY=VALUE...]: the JSON config of an ArchiveSinkConnector on the
# stack's S3 server (byte-exact converters, S3 prefix NAME), with KEY=VALUE settings added or replacing defaults.
archive_sink_json() {
  python3 - "$@" <<'PY'
import json, os, sys
name, topic, bucket, local_dir = sys.argv[1:5]
config = {
    "connector.class": "io.tieredarchive.sink.ArchiveSinkConnector",
    "tasks.max": "2",
    "topics": topic,
    "key.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
    "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
    "header.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
    "s3.bucket": bucket,
    "s3.prefix": name,
    "s3.endpoint": os.environ["S3_ENDPOINT"],
    "s3.path.style.access": "true",
    "s3.access.key.id": os.environ["S3_ACCESS_KEY"],
    "s3.secret.access.key": os.environ["S3_SECRET_KEY"],
    "local.dir": local_dir,
    "kafka.bootstrap.servers": os.environ["KAFKA_BOOTSTRAP"],
    "compression.type": "zstd",
}
for kv in sys.argv[5:]:
    k, _, v = kv.partition("=")
    config[k] = v
print(json.dumps(config, indent=2))
PY
}

# --- CPU time (a figure per CPU second does not depend on how busy the machine is) ----------------------------
# children_cpu_s: user + system CPU seconds of this shell's finished children (bash's `times`, second line),
# into the variable CHILDREN_CPU_S (`times` must run in this shell, not in a $(...) subshell).
children_cpu_s() {
  times >"$BENCH_WORK/.times"
  CHILDREN_CPU_S=$(sed -n 2p "$BENCH_WORK/.times" | awk '{ s = 0
    for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); s += p[1] * 60 + p[2] }; printf "%.2f", s }')
}
# proc_cpu_s PID: user + system CPU seconds the process PID has used so far.
proc_cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
# cpu_between A B: B - A, at least 0.01.
cpu_between() { awk -v a="$1" -v b="$2" 'BEGIN { d = b - a; if (d < 0.01) d = 0.01; printf "%.2f", d }'; }

# The rounds of a throughput case (1 and 2): round 0 is a warm-up of ours and the reference alike, not measured,
# unless BENCH_WARMUP=0 (run.sh --no-warmup); then the measured repeats 1..BENCH_REPEATS. A Connect worker runs for
# days: its first round after the stack's start (class loading, JIT) is not what a user's worker does.
bench_rounds() {
  seq "$([ "${BENCH_WARMUP:-1}" = 1 ] && echo 0 || echo 1)" "$BENCH_REPEATS"
}
