#!/usr/bin/env bash
# Case 2: replay throughput, MB/s of record bytes: the replay connector reads case 1's archive from S3 into a new
# topic; next to kafka-producer-perf-test sending the same number of the same events with the same producer
# settings. Needs case 1 in the same run (its archive, $BENCH_WORK/archive.env).
set -euo pipefail
# shellcheck source=examples/benchmark/lib.sh
. "$BENCH_ROOT/examples/benchmark/lib.sh"

[ -f "$BENCH_WORK/archive.env" ] || die "case 2 replays case 1's archive: run it with --cases 1,2"
# shellcheck disable=SC1091
. "$BENCH_WORK/archive.env"
EVENTS="$BENCH_WORK/events.txt"
# The same producer settings on both sides. acks=all and one request in flight are the Connect worker's own
# defaults for source tasks; the batching and compression are set for both.
PRODUCER_SETTINGS=(acks=all max.in.flight.requests.per.connection=1 linger.ms=10 batch.size=262144
  compression.type=lz4)
overrides=""
for s in "${PRODUCER_SETTINGS[@]}"; do overrides+="  \"producer.override.${s%%=*}\": \"${s#*=}\","$'\n'; done

ours=() ref=() ours_cpu=() ref_cpu=()
# CPU seconds a producer perf test JVM spends starting and sending one record: left out of its CPU cost.
topic_create bench-pperf-warmup "$ARCHIVE_PARTITIONS"
children_cpu_s; c0=$CHILDREN_CPU_S
kafka_tool org.apache.kafka.tools.ProducerPerformance --topic bench-pperf-warmup --num-records 1 \
  --payload-file "$EVENTS" --throughput -1 --producer-props "bootstrap.servers=$KAFKA_BOOTSTRAP" \
  "${PRODUCER_SETTINGS[@]}" >/dev/null
children_cpu_s; ref_startup_cpu=$(cpu_between "$c0" "$CHILDREN_CPU_S")
topic_delete bench-pperf-warmup
run_id=$(date +%s) # fresh names: Connect keeps a deleted source connector's offsets, a namesake would resume them
for r in $(bench_rounds); do
  # Reference: Kafka's producer perf tool, the same record count and payloads, into a fresh topic.
  topic_create "bench-pperf-r$r" "$ARCHIVE_PARTITIONS"
  children_cpu_s; c0=$CHILDREN_CPU_S
  line=$(kafka_tool org.apache.kafka.tools.ProducerPerformance --topic "bench-pperf-r$r" \
    --num-records "$ARCHIVE_RECORDS" --payload-file "$EVENTS" --throughput -1 \
    --producer-props "bootstrap.servers=$KAFKA_BOOTSTRAP" "${PRODUCER_SETTINGS[@]}" | tail -n 1)
  children_cpu_s; cpu=$(cpu_between "$ref_startup_cpu" "$(cpu_between "$c0" "$CHILDREN_CPU_S")")
  log "producer perf test: $line; ${cpu} CPU-s beyond its start"
  ref_cpu+=("$(awk -v b="$ARCHIVE_BYTES" -v c="$cpu" 'BEGIN { printf "%.3f", b / 1e6 / c }')")
  # "N records sent, R records/sec (M MB/sec), ...": MB there is MiB of values.
  mib_s=$(sed -n 's/.*records\/sec (\([0-9.]*\) MB\/sec).*/\1/p' <<<"$line")
  [ -n "$mib_s" ] || die "cannot read the producer perf test's output: $line"
  ref+=("$(awk -v m="$mib_s" 'BEGIN { printf "%.3f", m * 1.048576 }')")
  topic_delete "bench-pperf-r$r"

  name="bench-replay-r$r-$run_id"
  target="bench-replayed-r$r"
  topic_create "$target" "$ARCHIVE_PARTITIONS"
  rm -f "$BENCH_WORK/$name.ready"
  BENCH_TOOL_READY="$BENCH_WORK/$name.ready" bench_tool wait-count "$KAFKA_BOOTSTRAP" "$target" \
    "$ARCHIVE_RECORDS" 600 >"$BENCH_WORK/$name.times" &
  waiter=$!
  wait_for_file "$BENCH_WORK/$name.ready"
  w0=$(proc_cpu_s "$(connect_pid)")
  connect_put "$name" "$(cat <<JSON
{
  "connector.class": "io.tieredarchive.source.ArchiveReplaySourceConnector",
  "tasks.max": "2",
  "key.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
  "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
  "header.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
  "s3.bucket": "$ARCHIVE_BUCKET",
  "s3.prefix": "$ARCHIVE_PREFIX",
  "s3.endpoint": "$S3_ENDPOINT",
  "s3.path.style.access": "true",
  "s3.access.key.id": "$S3_ACCESS_KEY",
  "s3.secret.access.key": "$S3_SECRET_KEY",
  "replay.topics": "$ARCHIVE_TOPIC",
  "replay.topic.format": "$target",
  "replay.partitioning": "preserve",
$overrides  "kafka.bootstrap.servers": "$KAFKA_BOOTSTRAP"
}
JSON
)"
  wait "$waiter" || die "the replay did not complete; status: $(connector_status "$name")"
  cpu=$(cpu_between "$w0" "$(proc_cpu_s "$(connect_pid)")")
  read -r first_ms done_ms <"$BENCH_WORK/$name.times"
  log "replay: $ARCHIVE_RECORDS records in $((done_ms - first_ms)) ms from the first one; the worker used ${cpu} CPU-s"
  ours_cpu+=("$(awk -v b="$ARCHIVE_BYTES" -v c="$cpu" 'BEGIN { printf "%.3f", b / 1e6 / c }')")
  ours+=("$(mb_per_s "$ARCHIVE_BYTES" $((done_ms - first_ms)))")
  [ "$(topic_record_count "$target")" -eq "$ARCHIVE_RECORDS" ] \
    || die "$target holds $(topic_record_count "$target") records, not $ARCHIVE_RECORDS"
  fail_if_connector_failed "$name"
  connect_delete "$name"
  topic_delete "$target"
  if [ "$r" -eq 0 ]; then # the warm-up round: forget its figures
    ours=() ref=() ours_cpu=() ref_cpu=()
    log "warm-up round done; not measured"
  fi
done

write_result 2 replay-throughput what="Replay throughput" unit="MB/s" higher_is_better=true \
  reference="kafka-producer-perf-test, same producer settings, records and payloads" target=">= 0.95x" \
  target_op=">=" target_ratio=0.95 ours="${ours[*]}" ref="${ref[*]}" \
  notes="$ARCHIVE_RECORDS records ($((ARCHIVE_BYTES / 1000000)) MB of values) from case 1's archive in S3 (S3Proxy, zstd segments, ranged GETs, no restore cache) into a new $ARCHIVE_PARTITIONS-partition topic, replay tasks.max=2, replay.partitioning=preserve; producer: ${PRODUCER_SETTINGS[*]}. Ours: first record in the target topic to the last (end offsets polled every 50 ms). Reference: one producer, its own MB/sec."

write_result 2 replay-cpu what="Replay throughput per CPU second" unit="MB/CPU-s" higher_is_better=true \
  reference="kafka-producer-perf-test, same producer settings" target="— (explains case 2)" \
  ours="${ours_cpu[*]}" ref="${ref_cpu[*]}" \
  notes="MB of values per CPU second. Ours: user+system CPU of the whole Connect worker from the PUT until the last record is in the topic (task start, S3 reads, decompression, conversion, producing with lz4). S3Proxy's CPU serving the reads is not counted, nor the broker's. Reference: the producer perf test JVM's CPU minus that of a run sending one record (${ref_startup_cpu} CPU-s)."
