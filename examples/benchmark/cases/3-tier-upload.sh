#!/usr/bin/env bash
# Case 3: tier upload throughput. The same sealed segment files go to the same S3 server twice per repeat (ours
# first in odd repeats, the reference first in even ones):
#  - ours: a TieringService pass over a prepared local.dir (the code the sink's tiering thread and
#    `tiered-archive archive` run: local CRC32C check, upload with x-amz-checksum-crc32c (our own multipart, a
#    checksum per part) proven by the store's answer, marker last, manifest compare-and-set), timed inside the
#    JVM around the pass;
#  - reference: `aws s3 cp --recursive` of the same directory, timed around the command.
# Each repeat writes under a fresh prefix, so nothing is skipped as "already there". MB/s = 10^6 bytes / s.
set -euo pipefail
. "$BENCH_ROOT/examples/benchmark/lib.sh"

PARTITIONS=4
PER_PARTITION=2
SEGMENT_BYTES=$(scale_pick $((8 * 1024 * 1024)) $((64 * 1024 * 1024)))
BUCKET=bench-tier
TOOL=(s3bench)
DIR="$BENCH_WORK/case3/local"
. "$BENCH_ROOT/examples/benchmark/lib-s3.sh"

rm -rf "$BENCH_WORK/case3"
mkdir -p "$DIR"
log "case 3: writing $PARTITIONS x $PER_PARTITION sealed segments of $SEGMENT_BYTES bytes into $DIR"
read -r FILES BYTES _ < <("${TOOL[@]}" make-segments "$DIR" tier "$PARTITIONS" "$PER_PARTITION" "$SEGMENT_BYTES")
"${TOOL[@]}" create-bucket "$BUCKET"
log "case 3: $FILES files, $BYTES bytes"
# A worker's tier is warm: unless BENCH_WARMUP=0, each timed pass follows an untimed one in the same JVM over a
# smaller set (2 partitions x 2 segments of 16 MiB), so that its JIT compilation is not in the figure.
WARMUP=()
if [ "${BENCH_WARMUP:-1}" = 1 ]; then
  "${TOOL[@]}" make-segments "$BENCH_WORK/case3/warmup" tier 2 2 $((16 * 1024 * 1024)) >/dev/null
  WARMUP=("$BENCH_WORK/case3/warmup")
fi

ours_run() { # repeat number: the TieringService pass, then its objects and .tiered marks go
  sync
  read -r ms sent segs < <("${TOOL[@]}" tier-upload "$BUCKET" "ours-$1" "$DIR" "${WARMUP[@]}" | tail -n 1)
  [ "$sent" -eq "$BYTES" ] || die "tiering sent $sent bytes, expected $BYTES"
  ours+=("$(mb_per_s "$sent" "$ms")")
  find "$DIR" -name '*.tiered' -delete
  "${TOOL[@]}" empty "$BUCKET" "ours-$1" >/dev/null
}
ref_run() { # repeat number: aws s3 cp, then its objects go
  sync
  t0=$(now_ms)
  s3b_aws s3 cp --recursive --only-show-errors "$DIR" "s3://$BUCKET/ref-$1/"
  rms=$(( $(now_ms) - t0 ))
  read -r n b < <("${TOOL[@]}" count "$BUCKET" "ref-$1")
  [ "$b" -eq "$BYTES" ] || die "aws s3 cp stored $b bytes, expected $BYTES"
  ref+=("$(mb_per_s "$BYTES" "$rms")")
  "${TOOL[@]}" empty "$BUCKET" "ref-$1" >/dev/null
}

ours=() ref=()
for i in $(seq 1 "$BENCH_REPEATS"); do
  # Odd repeats run ours first, even ones the reference: the server's warm-up (JIT, page cache) then favours
  # neither side across repeats.
  if [ $((i % 2)) -eq 1 ]; then ours_run "$i"; ref_run "$i"; else ref_run "$i"; ours_run "$i"; fi
  log "case 3 repeat $i: ours ${ms} ms (${ours[-1]} MB/s, $segs segments), aws s3 cp ${rms} ms (${ref[-1]} MB/s)"
done

write_result 3 tier-upload what="Tier upload throughput" unit="MB/s" higher_is_better=true \
  reference="aws s3 cp --recursive" target=">= 1.2x" target_op=">=" target_ratio=1.2 \
  ours="${ours[*]}" ref="${ref[*]}" \
  notes="$PARTITIONS partitions x $PER_PARTITION segments of $((SEGMENT_BYTES / 1048576)) MiB ($FILES files, $BYTES bytes, codec none); ours: one TieringService pass$([ ${#WARMUP[@]} -gt 0 ] && echo " after an untimed one over 4 segments of 16 MiB in the same JVM") (8 upload threads, s3.part.size.bytes 8 MiB, s3.max.concurrency 8, the store checks each CRC32C, manifest) timed in its JVM; ref: $(aws --version 2>&1 | cut -d' ' -f1) defaults (8 MiB parts, 10 requests), timed around the command; S3Proxy 4.1 filesystem backend on the same disk"
rm -rf "$BENCH_WORK/case3"
