#!/usr/bin/env bash
# Case 4: bucket copy on the stack's S3 server, BucketCopySourceConnector vs `rclone copy` (server-side) between
# the same two buckets, with the same parallelism (tasks.max x copy.concurrency = rclone --transfers).
#  - small objects (objects/s) and large objects (MB/s), copy.mode=server-side: from the connector's PUT to the
#    timestamp of its last copy event (an event is written after the copy is verified: by the ETag CopyObject
#    returns, or by a HEAD where no checksum proves it); rclone: around the command. The destination prefix is
#    emptied between runs and its count checked. copy.multipart.threshold.bytes is left unset: on S3Proxy (an
#    S3-compatible endpoint) that is one CopyObject per object, as rclone does.
#  - stream mode's heap: copy.mode=stream over large objects while the worker's live heap is sampled every second
#    (jcmd GC.run, and the heap that full GC left, from the worker's GC log); the figure is the peak minus the idle
#    live heap before the connector started, against the documented bound tasks.max x copy.concurrency x
#    copy.part.size.bytes.
set -euo pipefail
. "$BENCH_ROOT/examples/benchmark/lib.sh"

SMALL_COUNT=$(scale_pick 200 2000)
SMALL_BYTES=4096
LARGE_COUNT=$(scale_pick 4 20)
LARGE_BYTES=$(scale_pick $((32 * 1024 * 1024)) $((256 * 1024 * 1024)))
STREAM_COUNT=$(scale_pick 4 4)   # large objects streamed per heap repeat (the first ones in listing order)
TASKS=2
CONCURRENCY=8
PART_BYTES=$((8 * 1024 * 1024))
SRC=bench-copy-src
DST=bench-copy-dst
TOOL=(s3bench)
. "$BENCH_ROOT/examples/benchmark/lib-s3.sh"
export RCLONE_CONFIG_BENCH_TYPE=s3 RCLONE_CONFIG_BENCH_PROVIDER=Other RCLONE_CONFIG_BENCH_ENDPOINT="$S3_ENDPOINT" \
  RCLONE_CONFIG_BENCH_ACCESS_KEY_ID="$S3_ACCESS_KEY" RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY="$S3_SECRET_KEY" \
  RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE=true RCLONE_CONFIG_BENCH_REGION=us-east-1 RCLONE_CONFIG=/dev/null
RUN_ID="$(date +%s)"

"${TOOL[@]}" create-bucket "$SRC"
"${TOOL[@]}" create-bucket "$DST"
populate() { # prefix count bytes concurrency
  local have
  read -r have _ < <("${TOOL[@]}" count "$SRC" "$1")
  if [ "$have" -ne "$2" ]; then
    "${TOOL[@]}" empty "$SRC" "$1" >/dev/null
    log "case 4: writing $2 objects of $3 bytes to s3://$SRC/$1/"
    "${TOOL[@]}" put-objects "$SRC" "$1" "$2" "$3" "$4" >/dev/null
  fi
}
populate "small-$SMALL_COUNT" "$SMALL_COUNT" "$SMALL_BYTES" 32
populate "large-$LARGE_COUNT-$LARGE_BYTES" "$LARGE_COUNT" "$LARGE_BYTES" 2

connector_json() { # mode source_prefix dest_prefix events_topic [include_regex]
  cat <<JSON
{
  "connector.class": "io.tieredarchive.source.BucketCopySourceConnector",
  "tasks.max": "$TASKS",
  "source.s3.bucket": "$SRC",
  "source.s3.prefix": "$2",
  "source.s3.endpoint": "$S3_ENDPOINT",
  "source.s3.path.style.access": "true",
  "source.s3.access.key.id": "$S3_ACCESS_KEY",
  "source.s3.secret.access.key": "$S3_SECRET_KEY",
  "destination.s3.bucket": "$DST",
  "destination.s3.prefix": "$3",
  "copy.mode": "$1",
  "copy.concurrency": "$CONCURRENCY",
  "copy.part.size.bytes": "$PART_BYTES",
  "copy.include.regex": "${5:-}",
  "copy.events.topic": "$4",
  "key.converter": "org.apache.kafka.connect.storage.StringConverter",
  "value.converter": "org.apache.kafka.connect.json.JsonConverter",
  "value.converter.schemas.enable": "false",
  "topic.creation.default.replication.factor": "1",
  "topic.creation.default.partitions": "1"
}
JSON
}

# run_connector MODE SRC_PREFIX COUNT [REGEX]: prints the millis from PUT to the last event; checks the copies.
run_connector() {
  local mode="$1" prefix="$2" count="$3" regex="${4:-}" name dest topic t0 events last copied _rest n
  name="bench-copy-$mode-$RUN_ID-$RANDOM"
  dest="ours-$name"
  topic="$name-events"
  t0=$(now_ms)
  connect_put "$name" "$(connector_json "$mode" "$prefix" "$dest" "$topic" "$regex")"
  read -r events last copied _rest < <("${TOOL[@]}" wait-events "$KAFKA_BOOTSTRAP" "$topic" "$count" 1800)
  [ "$copied" -eq "$count" ] || die "connector $name: $copied of $count copied ($_rest)"
  connect_delete "$name"
  read -r n _ < <("${TOOL[@]}" count "$DST" "$dest")
  [ "$n" -eq "$count" ] || die "connector $name: $n objects at the destination, expected $count"
  "${TOOL[@]}" empty "$DST" "$dest" >/dev/null
  echo $((last - t0))
}

# run_rclone SRC_PREFIX COUNT: prints the millis of `rclone copy` (server-side) into an empty prefix.
run_rclone() {
  local prefix="$1" count="$2" dest t0 ms n
  dest="ref-$RUN_ID-$RANDOM"
  t0=$(now_ms)
  # AWS_CA_BUNDLE (set on some machines) makes rclone fail on an http endpoint: "unsupported transport"
  env -u AWS_CA_BUNDLE rclone copy "bench:$SRC/$prefix" "bench:$DST/$dest" --transfers $((TASKS * CONCURRENCY)) \
    --checkers $((TASKS * CONCURRENCY)) --s3-no-check-bucket >&2
  ms=$(( $(now_ms) - t0 ))
  read -r n _ < <("${TOOL[@]}" count "$DST" "$dest")
  [ "$n" -eq "$count" ] || die "rclone: $n objects at the destination, expected $count"
  "${TOOL[@]}" empty "$DST" "$dest" >/dev/null
  echo "$ms"
}

small_ours=() small_ref=() large_ours=() large_ref=()
for i in $(seq 1 "$BENCH_REPEATS"); do
  ms=$(run_connector server-side "small-$SMALL_COUNT" "$SMALL_COUNT")
  small_ours+=("$(per_s "$SMALL_COUNT" "$ms")")
  ms=$(run_rclone "small-$SMALL_COUNT" "$SMALL_COUNT")
  small_ref+=("$(per_s "$SMALL_COUNT" "$ms")")
  log "case 4 repeat $i small: connector ${small_ours[-1]} objects/s, rclone ${small_ref[-1]} objects/s"
  ms=$(run_connector server-side "large-$LARGE_COUNT-$LARGE_BYTES" "$LARGE_COUNT")
  large_ours+=("$(mb_per_s $((LARGE_COUNT * LARGE_BYTES)) "$ms")")
  ms=$(run_rclone "large-$LARGE_COUNT-$LARGE_BYTES" "$LARGE_COUNT")
  large_ref+=("$(mb_per_s $((LARGE_COUNT * LARGE_BYTES)) "$ms")")
  log "case 4 repeat $i large: connector ${large_ours[-1]} MB/s, rclone ${large_ref[-1]} MB/s"
done

# Stream mode: live heap of the worker (after a full GC) sampled every second while it streams large objects.
GC_LOG="$BENCH_WORK/case4-gc.log"
jvm_gc_log_on "$(connect_pid)" "$GC_LOG"
live_heap_mib() { jvm_live_heap_mib "$(connect_pid)" "$GC_LOG"; }
BOUND_MIB=$(( TASKS * CONCURRENCY * PART_BYTES / 1048576 ))
heap=() stream_rate=()
for i in $(seq 1 "$BENCH_REPEATS"); do
  base=$(live_heap_mib); sleep 1; base2=$(live_heap_mib)
  base=$(awk -v a="$base" -v b="$base2" 'BEGIN { print (a < b ? a : b) }')
  name="bench-copy-stream-$RUN_ID-$i"
  dest="ours-$name"
  [ "$STREAM_COUNT" -le 10 ] || die "STREAM_COUNT above 10 needs another regex"
  peak="$base"
  t0=$(now_ms)
  connect_put "$name" "$(connector_json stream "large-$LARGE_COUNT-$LARGE_BYTES" "$dest" "$name-events" \
    "obj-00000[0-$((STREAM_COUNT - 1))]\\\\.bin")"
  "${TOOL[@]}" wait-events "$KAFKA_BOOTSTRAP" "$name-events" "$STREAM_COUNT" 1800 >"$BENCH_WORK/case4-stream-$i" &
  waiter=$!
  while kill -0 "$waiter" 2>/dev/null; do
    h=$(live_heap_mib)
    peak=$(awk -v a="$peak" -v b="$h" 'BEGIN { print (b > a ? b : a) }')
    fail_if_connector_failed "$name"
    sleep 1
  done
  wait "$waiter" || die "stream copy $name did not finish"
  read -r events last copied modes _ <"$BENCH_WORK/case4-stream-$i"
  [ "$copied" -eq "$STREAM_COUNT" ] || die "stream copy $name: $copied of $STREAM_COUNT copied"
  connect_delete "$name"
  read -r n _ < <("${TOOL[@]}" count "$DST" "$dest")
  [ "$n" -eq "$STREAM_COUNT" ] || die "stream copy $name: $n objects at the destination"
  "${TOOL[@]}" empty "$DST" "$dest" >/dev/null
  heap+=("$(awk -v p="$peak" -v b="$base" 'BEGIN { printf "%.1f", p - b }')")
  stream_rate+=("$(mb_per_s $((STREAM_COUNT * LARGE_BYTES)) $((last - t0)))")
  log "case 4 repeat $i stream: live heap idle $base MiB, peak $peak MiB (+${heap[-1]} MiB, bound $BOUND_MIB MiB), ${stream_rate[-1]} MB/s"
done
jvm_gc_log_off "$(connect_pid)" "$GC_LOG"

SETTINGS="tasks.max=$TASKS, copy.concurrency=$CONCURRENCY, copy.part.size.bytes=$((PART_BYTES / 1048576)) MiB, copy.multipart.threshold.bytes unset (5 GiB for an S3-compatible store: one CopyObject per object); rclone $(rclone version 2>/dev/null | sed -n 1p | cut -d' ' -f2) --transfers $((TASKS * CONCURRENCY)) --checkers $((TASKS * CONCURRENCY)) (server-side CopyObject); one Connect worker, S3Proxy 4.1 filesystem backend"
write_result 4 copy-small what="Bucket copy, $SMALL_COUNT objects of $((SMALL_BYTES / 1024)) KiB" unit="objects/s" \
  higher_is_better=true reference="rclone copy (server-side)" target=">= 1.0x" target_op=">=" target_ratio=1.0 \
  ours="${small_ours[*]}" ref="${small_ref[*]}" \
  notes="copy.mode=server-side, time from the connector's PUT to its last copy event; $SETTINGS"
write_result 4 copy-large what="Bucket copy, $LARGE_COUNT objects of $((LARGE_BYTES / 1048576)) MiB" unit="MB/s" \
  higher_is_better=true reference="rclone copy (server-side)" target=">= 1.0x" target_op=">=" target_ratio=1.0 \
  ours="${large_ours[*]}" ref="${large_ref[*]}" \
  notes="copy.mode=server-side (one CopyObject per object below the threshold, UploadPartCopy parts above it), time from the connector's PUT to its last copy event; $SETTINGS"
write_result 4 copy-stream-heap what="Bucket copy, stream mode: worker live heap above idle" unit="MiB" \
  higher_is_better=false reference="documented bound tasks.max x copy.concurrency x copy.part.size.bytes" \
  target="<= $BOUND_MIB MiB" target_op="<=" target_abs="$BOUND_MIB" ours="${heap[*]}" ref="" \
  notes="copy.mode=stream of $STREAM_COUNT x $((LARGE_BYTES / 1048576)) MiB; worker heap left by a forced full GC (jcmd GC.run), as the collector logged it (jcmd VM.log), sampled every second, peak minus idle before the connector; stream throughput ${stream_rate[*]} MB/s; $SETTINGS"
