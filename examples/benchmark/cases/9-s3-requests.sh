#!/usr/bin/env bash
# Case 9: S3 requests per sealed segment, manifest included (issue 13), counted on the wire. The sink archives a
# topic through the stack with uploads on (tier.upload.delay.ms 0) and local copies deleted as soon as they are
# verified (local.retention.ms 0), its s3.endpoint a counting relay (drivers/S3RequestCounter.java) in front of the
# stack's S3Proxy. Every request of the connector's life counts, from its start (partition opening) to its deletion
# (which registers what still waits for its manifest update): requests / segments archived. No reference: the
# target is absolute. S3Proxy is not AWS S3, so every manifest update is read back (one GET more than on AWS).
set -euo pipefail
. "$BENCH_ROOT/examples/benchmark/lib.sh"

PARTITIONS=2
RECORDS=$(scale_pick 24000 96000)
RECORD_BYTES=1024
SEGMENT_BYTES=1048576
TOPIC=bench-requests
BUCKET=bench-requests
COUNTER_PORT=${BENCH_S3_COUNTER_PORT:-28091}
S3_PORT_OF_STACK=${S3_ENDPOINT##*:}

s3_bucket_create "$BUCKET"
topic_create "$TOPIC" "$PARTITIONS"
log "case 9: producing $RECORDS records of $RECORD_BYTES bytes into $TOPIC ($PARTITIONS partitions)"
kafka_tool org.apache.kafka.tools.ProducerPerformance --topic "$TOPIC" --num-records "$RECORDS" \
  --record-size "$RECORD_BYTES" --throughput -1 --producer-props "bootstrap.servers=$KAFKA_BOOTSTRAP" acks=all \
  linger.ms=10 batch.size=262144 | tail -n 1

classes="$BENCH_WORK/counter-classes"
mkdir -p "$classes"
javac -nowarn -d "$classes" "$BENCH_ROOT/examples/benchmark/drivers/S3RequestCounter.java"

per_segment=() kinds_all=()
run_id=$(date +%s)
for r in $(seq 1 "$BENCH_REPEATS"); do
  name="bench-requests-r$r-$run_id"
  dir="$BENCH_WORK/$name"
  requests="$BENCH_WORK/$name.requests"
  rm -rf "$dir" "$requests" "$BENCH_WORK/$name.ready"
  java -Xmx128m -cp "$classes" S3RequestCounter "$COUNTER_PORT" "$S3_PORT_OF_STACK" "$requests" \
    >"$BENCH_WORK/$name.counter" 2>&1 &
  counter=$!
  # A repeat that dies (die exits the script) must not leave the relay running: it would hold the port and the
  # run's lock.
  trap 'kill "$counter" 2>/dev/null || true' EXIT
  until grep -q ready "$BENCH_WORK/$name.counter" 2>/dev/null; do sleep 0.1; done
  BENCH_TOOL_READY="$BENCH_WORK/$name.ready" bench_tool wait-archived "$KAFKA_BOOTSTRAP" "$TOPIC" "$dir" \
    "$CONNECT_URL" 600 >"$BENCH_WORK/$name.times" &
  waiter=$!
  wait_for_file "$BENCH_WORK/$name.ready"
  connect_put "$name" "$(S3_ENDPOINT="http://127.0.0.1:$COUNTER_PORT" archive_sink_json "$name" "$TOPIC" \
    "$BUCKET" "$dir" compression.type=none segment.bytes=$SEGMENT_BYTES segment.ms=3000 tier.upload.delay.ms=0 \
    local.retention.ms=0)"
  wait "$waiter" || die "the sink did not archive $TOPIC; status: $(connector_status "$name")"
  # Local copies go once verified; wait until no sealed segment is left on disk.
  deadline=$((SECONDS + 120))
  while [ -n "$(find "$dir" -name '*.tiered' -print -quit 2>/dev/null)" ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "local copies of $name still there after 120 s"
    sleep 0.5
  done
  fail_if_connector_failed "$name"
  connect_delete "$name"
  # The connector's tier registers what waits when it stops: wait until the relay has been quiet for 5 s.
  quiet=0 last=-1
  while [ "$quiet" -lt 5 ]; do
    n=$(wc -l <"$requests")
    if [ "$n" = "$last" ]; then quiet=$((quiet + 1)); else quiet=0; last=$n; fi
    sleep 1
  done
  kill "$counter"; wait "$counter" 2>/dev/null || true
  segments=$(grep -E '^PUT /[^ ?]*/[0-9]{20}\.json' "$requests" | awk '{ print $2 }' | sort -u | wc -l)
  [ "$segments" -gt 0 ] || die "no marker was uploaded (see $requests)"
  kinds=$(awk '{ k = $1; if ($2 ~ /list-type=2/) k = "LIST"; else if ($2 ~ /[?&](uploads|uploadId=)/) k = "MULTIPART-" $1;
                 c[k]++ } END { for (k in c) printf "%s=%d ", k, c[k] }' "$requests")
  total=$(wc -l <"$requests")
  per_segment+=("$(awk -v t="$total" -v s="$segments" 'BEGIN { printf "%.2f", t / s }')")
  kinds_all+=("repeat $r: $segments segments, $total requests ($kinds)")
  log "case 9 repeat $r: $segments segments, $total requests, ${per_segment[-1]} per segment: $kinds"
done

write_result 9 s3-requests what="S3 requests per sealed segment, manifest included" unit="requests" \
  higher_is_better=false reference="none" target="<= 7" target_op="<=" target_abs=7 ours="${per_segment[*]}" \
  notes="$RECORDS records of $RECORD_BYTES bytes, $PARTITIONS partitions, sink tasks.max=2, codec none, segment.bytes 1 MiB, segment.ms 3000, tier.upload.delay.ms 0, local.retention.ms 0 (each local copy deleted once verified); every HTTP request of the connector's life counted by a relay in front of S3Proxy (not AWS: manifest updates are read back), start (partition opening) and stop included, divided by the segments whose marker was uploaded. By kind: ${kinds_all[*]}."
