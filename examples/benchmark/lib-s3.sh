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
  java -Xmx1g -cp "$classes:$BENCH_JAVA_CP" S3BenchTool "$@"
}
export S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY
