#!/usr/bin/env bash
# Case 5: restore on demand. One cold segment (in S3 only: its local copy deleted after tiering):
#  - ours: the time from ArchiveReader.fromOffset(middle offset) to the first record returned, through the read
#    path of the replay connector (ranged GETs: both indexes and, in the same round trip, the .log chunks around
#    the offset's estimated position, then 1 MiB chunks of the .log from the one holding the offset, 4 ahead), with a new S3 client, a new empty restore cache and a new reader per repeat, in a JVM
#    that has done one untimed read before (as a running worker has);
#  - reference: downloading the whole .log object with a plain GET (curl --aws-sigv4) to a local file.
# Lower is better; the ratio is ours / reference.
set -euo pipefail
. "$BENCH_ROOT/examples/benchmark/lib.sh"

SEGMENT_BYTES=$(scale_pick $((64 * 1024 * 1024)) $((1024 * 1024 * 1024)))
BUCKET=bench-restore
PREFIX="restore-$(date +%s)"
TOPIC=cold
TOOL=(s3bench)
DIR="$BENCH_WORK/case5/local"
. "$BENCH_ROOT/examples/benchmark/lib-s3.sh"

rm -rf "$BENCH_WORK/case5"
mkdir -p "$DIR"
log "case 5: writing one segment of $SEGMENT_BYTES bytes and tiering it"
read -r _ BYTES RECORDS < <("${TOOL[@]}" make-segments "$DIR" "$TOPIC" 1 1 "$SEGMENT_BYTES")
"${TOOL[@]}" create-bucket "$BUCKET"
"${TOOL[@]}" tier-upload "$BUCKET" "$PREFIX" "$DIR" >/dev/null
LOG_KEY="$PREFIX/$TOPIC/0/$(cd "$DIR/$TOPIC-0" && ls *.log | sed 's/\.log$//')-bench-writer.log"
LOG_BYTES=$(stat -c %s "$DIR/$TOPIC-0/"*.log)
rm -rf "$DIR"   # cold: the segment exists in S3 only
MIDDLE=$((RECORDS / 2))
log "case 5: $RECORDS records, .log of $LOG_BYTES bytes at s3://$BUCKET/$LOG_KEY; reading from offset $MIDDLE"

ours=()
while read -r ms offset fetched; do
  [ "$offset" -eq "$MIDDLE" ] || die "first record at $offset, expected $MIDDLE"
  ours+=("$ms")
  log "case 5: first record at $offset after $ms ms ($fetched bytes fetched)"
done < <("${TOOL[@]}" first-record "$BUCKET" "$PREFIX" "$TOPIC" 0 "$MIDDLE" "$BENCH_WORK/case5/cache" "$BENCH_REPEATS")
[ "${#ours[@]}" -eq "$BENCH_REPEATS" ] || die "the restore driver gave ${#ours[@]} timings"

ref=()
for i in $(seq 1 "$BENCH_REPEATS"); do
  out="$BENCH_WORK/case5/download.log"
  rm -f "$out"
  t0=$(date +%s%N)
  curl -sf -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
    -o "$out" "$S3_ENDPOINT/$BUCKET/$LOG_KEY"
  ms=$(awk -v ns=$(( $(date +%s%N) - t0 )) 'BEGIN { printf "%.3f", ns / 1e6 }')
  [ "$(stat -c %s "$out")" -eq "$LOG_BYTES" ] || die "download of $LOG_KEY is $(stat -c %s "$out") bytes"
  ref+=("$ms")
  log "case 5: whole .log downloaded in $ms ms"
done
rm -rf "$BENCH_WORK/case5"

write_result 5 restore-first-record what="Restore on demand: first record at the middle of a cold segment" \
  unit="ms" higher_is_better=false reference="GET of the whole .log (curl)" target="<= 0.05x" target_op="<=" \
  target_ratio=0.05 ours="${ours[*]}" ref="${ref[*]}" \
  notes="one segment, .log $LOG_BYTES bytes, $RECORDS records of 1 KiB in 1 MiB batches (codec none); ours: ArchiveReader (chunk 1 MiB, 4 ahead) from offset $MIDDLE, new client, reader and empty restore cache per repeat, warm JVM; ref: curl GET of the .log to a local file; S3Proxy 4.1 filesystem backend"
