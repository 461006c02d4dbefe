#!/usr/bin/env bash
# Case 7: the Connect worker's heap while one archive sink writes 2,000 partitions at once (every partition with
# an active segment and an open batch). Measured over JMX from the running worker (-Xmx1g, the stack's): the live
# heap (the most in use right after a full collection, three forced over the last third of the hold: what the
# worker needs; the figure with the target, 384 MiB in every repeat), the most in use right after the worker's own
# collections before those (live objects plus the old ones G1 has not collected yet), and the most in use before a
# collection (which G1 lets grow with the free heap). No reference.
set -euo pipefail
# shellcheck source=examples/benchmark/lib.sh
. "$BENCH_ROOT/examples/benchmark/lib.sh"

PARTITIONS=2000
TOPIC=bench-wide
BUCKET=bench-archive
HOLD_SECONDS=$(scale_pick 20 30)
RATE=$(scale_pick 4000 8000) # records per second, about 1 KiB each
EVENTS="$BENCH_WORK/events.txt"
[ -f "$EVENTS" ] || python3 "$BENCH_ROOT/examples/benchmark/events.py" 100000 "$EVENTS"
s3_bucket_create "$BUCKET"
log "creating $TOPIC with $PARTITIONS partitions"
topic_create "$TOPIC" "$PARTITIONS"
# A broker creating 2,000 partitions takes a while: wait until each has a leader that answers for its offsets.
deadline=$((SECONDS + 180))
until [ "$(topic_end_offsets "$TOPIC" 2>/dev/null | wc -l)" -eq "$PARTITIONS" ]; do
  [ "$SECONDS" -lt "$deadline" ] || die "$TOPIC: not every partition has a leader after 180 s"
  sleep 2
done
pid=$(connect_pid)

ours=() after_gc=() peaks=() notes=()
run_id=$(date +%s) # fresh connector names and S3 prefixes per run
GC_LOG="$BENCH_WORK/case7-gc.log"
jvm_gc_log_on "$pid" "$GC_LOG"
for r in $(seq 1 "$BENCH_REPEATS"); do
  name="bench-heap-r$r-$run_id"
  base=$(jvm_live_heap_mib "$pid" "$GC_LOG")
  connect_put "$name" "$(archive_sink_json "$name" "$TOPIC" "$BUCKET" "$BENCH_WORK/$name" segment.ms=3600000 \
    consumer.override.auto.offset.reset=latest)"
  # Records for every partition while the heap is watched: the producer's sticky partitioner moves to another
  # partition with each batch, so all 2,000 get records within seconds; none is sealed (segment.ms 1 h).
  java -Xmx1g -cp "$BENCH_KAFKA_CP" org.apache.kafka.tools.ProducerPerformance --topic "$TOPIC" \
    --num-records $((RATE * 3600)) --payload-file "$EVENTS" --throughput "$RATE" \
    --producer-props "bootstrap.servers=$KAFKA_BOOTSTRAP" acks=1 linger.ms=5 batch.size=16384 \
    >"$BENCH_WORK/$name.producer.log" 2>&1 &
  producer=$!
  # From the connector's start (opening 2,000 partitions included) until all have been active for the hold time.
  if ! read -r peak_used peak_after_gc gcs active buffered to_active live < <(bench_tool heap-watch "$pid" "$name" \
      $((PARTITIONS * 99 / 100)) "$HOLD_SECONDS" 600); then
    kill "$producer" 2>/dev/null || true
    die "the sink did not get $PARTITIONS active partitions; status: $(connector_status "$name")"
  fi
  kill "$producer" 2>/dev/null || true
  wait "$producer" 2>/dev/null || true
  log "heap: baseline after GC ${base} MiB; live (after full GCs) ${live} MiB; peak after the worker's GCs" \
    "${peak_after_gc} MiB, peak in use ${peak_used} MiB" \
    "($gcs collections); $active active partitions after ${to_active}s, held ${HOLD_SECONDS}s; sink buffers up to" \
    "$buffered bytes"
  ours+=("$live")
  after_gc+=("$peak_after_gc")
  peaks+=("$peak_used")
  notes+=("r$r: baseline ${base} MiB, ${active} active partitions ${to_active}s after the PUT, buffered-bytes-max ${buffered}")
  fail_if_connector_failed "$name"
  connect_delete "$name"
done
jvm_gc_log_off "$pid" "$GC_LOG"
topic_delete "$TOPIC"

write_result 7 sink-heap what="Sink live heap, 2,000 active partitions" unit="MiB" higher_is_better=false \
  reference="none" target="<= 384 MiB, every repeat" target_op="<=" target_abs=384 target_stat=max ours="${ours[*]}" \
  notes="The whole Connect worker's heap (-Xmx1g, G1), read over JMX while one sink (tasks.max=2) archives $PARTITIONS partitions receiving $RATE records/s of ~1 KiB in all, from the connector start until all partitions have been active for ${HOLD_SECONDS}s, every partition with an active segment (segment.ms 1 h, batch.bytes 1 MiB, zstd). Figure: the live heap, the most in use right after a full collection (three forced over the last third of the hold). Before those, the most in use right after the worker's own collections (live objects plus old ones G1 had not collected yet): $(printf '%s ' "${after_gc[@]}")MiB; the most in use before a collection (G1 lets it grow with free heap): $(printf '%s ' "${peaks[@]}")MiB. $(printf '%s; ' "${notes[@]}")"

write_result 7 sink-heap-after-young-gc what="Sink heap after the worker's own collections, 2,000 active partitions" \
  unit="MiB" higher_is_better=false reference="none" target="— (explains case 7)" ours="${after_gc[*]}" \
  notes="As above, the most heap in use right after one of the worker's own collections, before the forced full ones: what G1 leaves depends on when it starts marking the old generation (InitiatingHeapOccupancyPercent, 45 % of the heap by default), not only on what the sink holds."
