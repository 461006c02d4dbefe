#!/usr/bin/env bash
# Case 6: compression ratio of the archived segments (record value bytes / .log bytes, zstd level 3 in 1 MiB
# batches) next to `zstd -3` on the same values concatenated (ratio = value bytes / zstd output bytes).
# Needs case 1 in the same run: its archives (one per repeat) are the segments measured.
set -euo pipefail
# shellcheck source=examples/benchmark/lib.sh
. "$BENCH_ROOT/examples/benchmark/lib.sh"

[ -f "$BENCH_WORK/archive.env" ] && [ -f "$BENCH_WORK/sink-log-bytes.txt" ] \
  || die "case 6 measures case 1's archives: run it with --cases 1,6"
# shellcheck disable=SC1091
. "$BENCH_WORK/archive.env"

PAYLOADS="$BENCH_WORK/payloads.bin"
log "writing the values of $ARCHIVE_TOPIC, partition by partition in offset order, to $PAYLOADS"
read -r records value_bytes < <(bench_tool dump-values "$KAFKA_BOOTSTRAP" "$ARCHIVE_TOPIC" "$PAYLOADS")
[ "$records" -eq "$ARCHIVE_RECORDS" ] || die "read $records records of $ARCHIVE_TOPIC, expected $ARCHIVE_RECORDS"

ours=() ref=() zstd_ms=()
while read -r name log_bytes segments; do
  ours+=("$(ratio "$value_bytes" "$log_bytes")")
  log "$name: $value_bytes value bytes in $log_bytes .log bytes ($segments segments): ${ours[-1]}x"
done <"$BENCH_WORK/sink-log-bytes.txt"
for _ in $(seq 1 "$BENCH_REPEATS"); do
  start=$(now_ms)
  zstd_bytes=$(zstd -3 -q -c "$PAYLOADS" | wc -c)
  zstd_ms+=($(($(now_ms) - start)))
  ref+=("$(ratio "$value_bytes" "$zstd_bytes")")
  log "zstd -3: $value_bytes -> $zstd_bytes bytes: ${ref[-1]}x"
done
rm -f "$PAYLOADS"

write_result 6 compression-ratio what="Compression ratio of archived segments" unit="x" higher_is_better=true \
  reference="zstd -3 on the same values concatenated" target=">= 0.97x" target_op=">=" target_ratio=0.97 \
  ours="${ours[*]}" ref="${ref[*]}" \
  notes="$records values, $value_bytes bytes (~1 KiB JSON events, drawn at random from 100,000 distinct ones). Ours: value bytes / bytes of the .log files of each of case 1's archives (one per repeat), so Kafka's batch and record headers (offsets, timestamps) count against us; zstd level 3 per batch of 1 MiB of records. zstd -3 compresses the whole stream as one frame (took $(printf '%s ' "${zstd_ms[@]}")ms)."
