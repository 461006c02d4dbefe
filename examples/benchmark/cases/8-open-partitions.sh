#!/usr/bin/env bash
# Case 8: how long a new sink task takes to open 2,000 partitions that a worker archived before: every partition
# with sealed segments in S3 and their local copies (marked tiered) in local.dir. A first connector archives a few
# records of each partition and is deleted once everything is in S3; then, per repeat, the same connector (same
# name, so the same consumer group and committed offsets; same local.dir and s3.prefix) is created again, and the
# figure is the time from its PUT until its tasks have opened every partition (the tasks' assigned-partitions
# metric, summed, read over JMX every 20 ms). That includes Connect starting the tasks and the consumer group's
# assignment. No reference: target 5 s.
set -euo pipefail
# shellcheck source=examples/benchmark/lib.sh
. "$BENCH_ROOT/examples/benchmark/lib.sh"

PARTITIONS=2000
TOPIC=bench-open
BUCKET=bench-archive
PER_PARTITION=$(scale_pick 4 10) # records per partition, 1 KiB each
s3_bucket_create "$BUCKET"
log "creating $TOPIC with $PARTITIONS partitions"
topic_create "$TOPIC" "$PARTITIONS"
deadline=$((SECONDS + 180))
until [ "$(topic_end_offsets "$TOPIC" 2>/dev/null | wc -l)" -eq "$PARTITIONS" ]; do
  [ "$SECONDS" -lt "$deadline" ] || die "$TOPIC: not every partition has a leader after 180 s"
  sleep 2
done
records=$(bench_tool produce-each "$KAFKA_BOOTSTRAP" "$TOPIC" "$PER_PARTITION" 1024)
log "wrote $records records ($PER_PARTITION per partition)"

name="bench-open-$(date +%s)"
dir="$BENCH_WORK/$name"
# Segments sealed by age (1 s) once a partition's records are in, kept locally for an hour after their upload.
config="$(archive_sink_json "$name" "$TOPIC" "$BUCKET" "$dir" segment.ms=1000 local.retention.ms=3600000 \
  consumer.override.max.poll.records=2000)"
connect_put "$name" "$config"
read -r _ _ archived_ms log_bytes segments < <(bench_tool wait-archived "$KAFKA_BOOTSTRAP" "$TOPIC" "$dir" \
  "$CONNECT_URL" 900)
log "archived: $segments segments, $log_bytes bytes of .log, every one in S3 and in $dir"
fail_if_connector_failed "$name"
connect_delete "$name"

pid=$(connect_pid)
ours=() notes=()
for r in $(seq 1 "$BENCH_REPEATS"); do
  ready="$BENCH_WORK/$name.open-r$r.ready"
  BENCH_TOOL_READY="$ready" bench_tool open-watch "$pid" "$name" "$PARTITIONS" 600 >"$BENCH_WORK/$name.open-r$r" &
  watcher=$!
  wait_for_file "$ready" 60
  log_from=$(wc -l <"$STACK_DIR/connect.log")
  start=$(now_ms)
  connect_put "$name" "$config"
  wait "$watcher" || die "the sink did not open $PARTITIONS partitions; status: $(connector_status "$name")"
  done_ms=$(cat "$BENCH_WORK/$name.open-r$r")
  seconds=$(awk -v a="$start" -v b="$done_ms" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  # What open() itself took, per task (PartitionOpener's INFO line: local recovery, topic identities, the store),
  # apart from Connect's start and assignment.
  in_open=$(tail -n +"$((log_from + 1))" "$STACK_DIR/connect.log" \
    | grep -o 'Opened [0-9]* partition(s) in [0-9]* ms ([^)]*)' | sed 's/^Opened //; s/ partition(s)//' \
    | awk '{ printf "%s%s", sep, $0; sep = "; " }')
  log "r$r: $PARTITIONS partitions open ${seconds}s after the PUT (open() per task: ${in_open:-not logged}; load" \
    "average $load)"
  ours+=("$seconds")
  notes+=("r$r: open() per task ${in_open:-not logged}, load average $load")
  fail_if_connector_failed "$name"
  connect_delete "$name"
done
topic_delete "$TOPIC"

write_result 8 open-partitions what="Time to open 2,000 archived partitions" unit="s" higher_is_better=false \
  reference="none" target="<= 5 s" target_op="<=" target_abs=5 ours="${ours[*]}" \
  notes="From the PUT of a sink connector (tasks.max=2) until its tasks have opened all $PARTITIONS partitions of a topic it archived before ($segments sealed segments, $PER_PARTITION records of 1 KiB per partition, every segment in S3 and kept in local.dir, marked tiered), read from the tasks' assigned-partitions metric over JMX; Connect's task start and the group's assignment included. $(printf '%s; ' "${notes[@]}")"
