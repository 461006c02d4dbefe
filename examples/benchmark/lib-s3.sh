#!/usr/bin/env bash
# Helpers of the bench-s3 cases (3, 4, 5), sourced after lib.sh.

# s3bench ARGS...: runs drivers/S3BenchTool.java, compiled once into $BENCH_WORK/s3bench-classes (a JVM per call
# is the cost of a shell script; compiling the source on every launch would add seconds to each).
s3bench() {
  local src="$BENCH_ROOT/examples/benchmark/drivers/S3BenchTool.java" classes="$BENCH_WORK/s3bench-classes"
  if [ ! -f "$classes/S3BenchTool.class" ] || [ "$src" -nt "$classes/S3BenchTool.class" ]; then
    mkdir -p "$classes"
    javac -nowarn -d "$classes" -cp "$BENCH_JAVA_CP" "$src" >&2
  fi
  local jfr=()
  [ "${BENCH_PROFILE:-0}" = 1 ] \
    && jfr=("-XX:StartFlightRecording=settings=profile,filename=$BENCH_OUT/s3bench-$1-$(date +%s%N).jfr"
      -Xlog:jfr+startup=off) # its start-up lines would land in the output the cases read
  java -Xmx1g "${jfr[@]}" -cp "$classes:$BENCH_JAVA_CP" S3BenchTool "$@"
}
export S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY

# s3b_aws ARGS...: the AWS CLI against the stack's S3 server (path-style addressing, the stack's keys, a scratch
# config so that the user's own AWS settings play no part).
s3b_aws() {
  local cfg="$BENCH_WORK/s3b-aws-config"
  mkdir -p "$BENCH_WORK"
  if [ ! -f "$cfg" ]; then
    printf '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n' >"$cfg"
  fi
  AWS_CONFIG_FILE="$cfg" AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY" \
    AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" aws --endpoint-url "$S3_ENDPOINT" "$@"
}
