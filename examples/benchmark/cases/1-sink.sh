#!/usr/bin/env bash
# Case 1: sink archive throughput, MB/s of record bytes (values of about 1 KiB JSON events, 8 partitions, zstd),
# next to kafka-consumer-perf-test reading the same topic; per CPU second, next to that tool plus the `zstd` CLI at
# the connector's level compressing the same values (consume + compress). Leaves the archive of its last repeat for
# cases 2 and 6 ($BENCH_WORK/archive.env).
# BENCH_JFR=1 records each measured sink repeat with JFR on the Connect worker (jcmd JFR.start/JFR.stop, settings
# "profile") into $BENCH_OUT/1-sink-r<N>.jfr.
set -euo pipefail
# shellcheck source=examples/benchmark/lib.sh
. "$BENCH_ROOT/examples/benchmark/lib.sh"

RECORDS=$(scale_pick 200000 400000)
DISTINCT=100000
PARTITIONS=8
TOPIC=bench-events
BUCKET=bench-archive
EVENTS="$BENCH_WORK/events.txt"

# Enough distinct events that a repeat within zstd's window is rare: with few, zstd -3 (one stream, a window of
# several MiB) would find more repeats than a 1 MiB batch can, which says nothing about real data.
log "generating $DISTINCT distinct JSON events of about 1 KiB ($EVENTS)"
python3 "$BENCH_ROOT/examples/benchmark/events.py" "$DISTINCT" "$EVENTS"
s3_bucket_create "$BUCKET"

log "producing $RECORDS events into $TOPIC ($PARTITIONS partitions), uncompressed on the broker"
topic_create "$TOPIC" "$PARTITIONS"
kafka_tool org.apache.kafka.tools.ProducerPerformance --topic "$TOPIC" --num-records "$RECORDS" \
  --payload-file "$EVENTS" --throughput -1 --producer-props "bootstrap.servers=$KAFKA_BOOTSTRAP" acks=all \
  linger.ms=10 batch.size=262144 compression.type=none | tail -n 1
[ "$(topic_record_count "$TOPIC")" -eq "$RECORDS" ] || die "$TOPIC does not hold $RECORDS records"

# The values alone, concatenated, for the compress half of the consume + compress reference (case 6 writes the same).
PAYLOADS="$BENCH_WORK/payloads-1.bin"
read -r value_records value_bytes < <(bench_tool dump-values "$KAFKA_BOOTSTRAP" "$TOPIC" "$PAYLOADS")
[ "$value_records" -eq "$RECORDS" ] || die "read $value_records records of $TOPIC, expected $RECORDS"
ZSTD_LEVEL=3 # the connector's default compression.level for zstd, as configured below

ours=() ref=() bytes=0 ours_cpu=() ref_cpu=() cc_cpu=()
# Fresh connector names and S3 prefixes per run: an archive (or consumer group) left by an earlier run on a kept
# stack would be resumed, not rewritten.
run_id=$(date +%s)
rm -f "$BENCH_WORK/sink-log-bytes.txt"
for r in $(bench_rounds); do
  # Reference: Kafka's consumer perf tool, a new group each time, reading every record from the start.
  # fetch.MB.sec leaves out the group join, so the sink's time below starts at its first segment file too. Its CPU:
  # the process CPU of that read, after a one-record read in the same JVM took the JVM start, class loading and
  # group join (BenchTool consumer-perf-cpu).
  out=$(bench_tool consumer-perf-cpu "$KAFKA_BOOTSTRAP" "$TOPIC" "$RECORDS" "bench-cperf-$r-$(date +%s)")
  line=$(sed -n 1p <<<"$out")
  cpu=$(awk '/^cpu / { printf "%.2f", $2 }' <<<"$out")
  log "consumer perf test: $line; ${cpu} CPU-s for the read"
  mib=$(cut -d, -f3 <<<"$line" | tr -d ' ')
  fetch_ms=$(cut -d, -f8 <<<"$line" | tr -d ' ')
  bytes=$(awk -v m="$mib" 'BEGIN { printf "%d", m * 1048576 }')
  ref+=("$(mb_per_s "$bytes" "$fetch_ms")")
  ref_cpu+=("$(awk -v b="$bytes" -v c="$cpu" 'BEGIN { printf "%.3f", b / 1e6 / c }')")
  # Compress: the zstd CLI (one thread) on the same values; its CPU per MB adds to the consumer's.
  children_cpu_s; c0=$CHILDREN_CPU_S
  zstd "-$ZSTD_LEVEL" -q -c "$PAYLOADS" >/dev/null
  children_cpu_s; zcpu=$(cpu_between "$c0" "$CHILDREN_CPU_S")
  cc_cpu+=("$(awk -v b="$bytes" -v c="$cpu" -v vb="$value_bytes" -v z="$zcpu" \
    'BEGIN { printf "%.3f", 1 / (c / (b / 1e6) + z / (vb / 1e6)) }')")
  log "zstd -$ZSTD_LEVEL on $value_bytes value bytes: ${zcpu} CPU-s; consume + compress: ${cc_cpu[-1]} MB/CPU-s"

  name="bench-sink-r$r-$run_id"
  dir="$BENCH_WORK/$name"
  rm -rf "$dir"
  rm -f "$BENCH_WORK/$name.ready"
  BENCH_TOOL_READY="$BENCH_WORK/$name.ready" bench_tool wait-archived "$KAFKA_BOOTSTRAP" "$TOPIC" "$dir" \
    - 600 >"$BENCH_WORK/$name.times" &
  waiter=$!
  wait_for_file "$BENCH_WORK/$name.ready"
  put_ms=$(now_ms)
  w0=$(proc_cpu_s "$(connect_pid)")
  if [ "${BENCH_JFR:-0}" = 1 ]; then
    jcmd "$(connect_pid)" JFR.start name=bench-sink settings=profile >/dev/null
  fi
  # Uploads wait (tier.upload.delay.ms 1 h): this measures the sink's own path, and a backlog of uploads from one
  # repeat would load the next. Case 3 measures tiering.
  connect_put "$name" "$(archive_sink_json "$name" "$TOPIC" "$BUCKET" "$dir" segment.bytes=16777216 segment.ms=1000 \
    local.retention.ms=-1 tier.upload.delay.ms=3600000)"
  wait "$waiter" || die "the sink did not archive $TOPIC; status: $(connector_status "$name")"
  cpu=$(cpu_between "$w0" "$(proc_cpu_s "$(connect_pid)")")
  if [ "${BENCH_JFR:-0}" = 1 ]; then
    jcmd "$(connect_pid)" JFR.stop name=bench-sink filename="$BENCH_OUT/1-sink-r$r.jfr" >/dev/null
    log "JFR recording of this repeat: $BENCH_OUT/1-sink-r$r.jfr"
  fi
  read -r first_ms sealed_ms _ log_bytes segments <"$BENCH_WORK/$name.times"
  ours_cpu+=("$(awk -v b="$bytes" -v c="$cpu" 'BEGIN { printf "%.3f", b / 1e6 / c }')")
  log "sink: first segment file $((first_ms - put_ms)) ms after PUT, all sealed $((sealed_ms - first_ms)) ms later;" \
    "$segments segments, $log_bytes .log bytes; the worker used ${cpu} CPU-s"
  ours+=("$(mb_per_s "$bytes" $((sealed_ms - first_ms)))")
  echo "$name $log_bytes $segments" >>"$BENCH_WORK/sink-log-bytes.txt"
  fail_if_connector_failed "$name"
  connect_delete "$name"
  if [ "$r" -eq 0 ]; then # the warm-up round: forget its figures (and its archive for case 6)
    ours=() ref=() ours_cpu=() ref_cpu=() cc_cpu=()
    rm -f "$BENCH_WORK/sink-log-bytes.txt"
    log "warm-up round done; not measured"
  fi
done
rm -f "$PAYLOADS"

# The archive cases 2 (replay) and 6 read: one more, unmeasured sink with uploads on, until all of it is in S3.
name="bench-archive-$run_id"
rm -f "$BENCH_WORK/$name.ready"
BENCH_TOOL_READY="$BENCH_WORK/$name.ready" bench_tool wait-archived "$KAFKA_BOOTSTRAP" "$TOPIC" "$BENCH_WORK/$name" \
  "$CONNECT_URL" 900 >"$BENCH_WORK/$name.times" &
waiter=$!
wait_for_file "$BENCH_WORK/$name.ready"
connect_put "$name" "$(archive_sink_json "$name" "$TOPIC" "$BUCKET" "$BENCH_WORK/$name" segment.bytes=8388608 \
  segment.ms=5000 local.retention.ms=-1)"
wait "$waiter" || die "the archive for cases 2 and 6 is not in S3; status: $(connector_status "$name")"
read -r first_ms sealed_ms archived_ms log_bytes segments <"$BENCH_WORK/$name.times"
log "archive for replay: $segments segments sealed $((sealed_ms - first_ms)) ms and in S3 $((archived_ms - first_ms)) ms" \
  "after the first segment file"
connect_delete "$name"

cat >"$BENCH_WORK/archive.env" <<ENV
ARCHIVE_TOPIC=$TOPIC
ARCHIVE_PARTITIONS=$PARTITIONS
ARCHIVE_RECORDS=$RECORDS
ARCHIVE_BYTES=$bytes
ARCHIVE_BUCKET=$BUCKET
ARCHIVE_PREFIX=$name
ENV

write_result 1 sink-throughput what="Sink archive throughput" unit="MB/s" higher_is_better=true \
  reference="kafka-consumer-perf-test (fetch.MB.sec), same topic" target=">= 0.3x" target_op=">=" target_ratio=0.3 \
  ours="${ours[*]}" ref="${ref[*]}" \
  notes="$RECORDS JSON events (~1 KiB values, no keys, $((bytes / 1000000)) MB), $PARTITIONS partitions, sink tasks.max=2, zstd level 3, batch.bytes 1 MiB, segment.bytes 16 MiB, segment.ms 1000, uploads held back (tier.upload.delay.ms 1 h: case 3 measures tiering); ours: from the first segment file to the last partition's end sealed (fsynced, marker written) on local disk. Reference: one consumer, fetch time without the group join."

write_result 1 sink-cpu what="Sink archive throughput per CPU second" unit="MB/CPU-s" higher_is_better=true \
  reference="kafka-consumer-perf-test, same topic" target="— (explains case 1)" \
  ours="${ours_cpu[*]}" ref="${ref_cpu[*]}" \
  notes="MB of values per CPU second, which depends much less on what else runs on the machine than MB/s. Ours: user+system CPU of the whole Connect worker from the PUT until every record is sealed (task start, group join, consume, convert, compress, write, seal). Reference: user+system CPU of the consumer perf test's JVM during its read of all records, after a one-record read in the same JVM (JVM start, class loading, group join left out; JIT and GC of the read included). The broker's CPU, serving both, is in neither."

write_result 1 sink-cpu-consume-compress what="Sink archive throughput per CPU second vs consume + compress" \
  unit="MB/CPU-s" higher_is_better=true reference="kafka-consumer-perf-test + zstd -$ZSTD_LEVEL CLI, same topic and values" \
  target=">= 0.8x" target_op=">=" target_ratio=0.8 ours="${ours_cpu[*]}" ref="${cc_cpu[*]}" \
  notes="What fetching and compressing alone cost: reference = 1 / (CPU-s per MB of the consumer perf test, as in the row above, + CPU-s per MB of the zstd CLI, level $ZSTD_LEVEL, one thread, on the $value_bytes value bytes concatenated), measured in the same repeat. A ratio of 0.8x means the sink costs at most 1.25x that sum: Connect's conversion, batching, indexes and sealing add at most a quarter."
