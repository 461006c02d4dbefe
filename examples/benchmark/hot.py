#!/usr/bin/env python3
"""Summarises a JFR recording of a benchmark case (run.sh --profile): where the CPU samples fall and what the
threads waited on. Reads the recording with the JDK's `jfr print`, so it needs nothing but a JDK and Python.

Usage: hot.py FILE.jfr [TOP]   (TOP rows per table, 12 by default)

Tables: CPU samples per thread (threads of one pool folded: "tiered-archive-index-upload-3" -> "...-N"); the
methods that were on top of the stack (self time); the project's, Kafka's, the AWS SDK's and zstd's methods
anywhere on the stack (inclusive: each sample counts once per method); and the time spent in fsync
(jdk.FileForce), socket reads and writes, and parked threads (jdk.ThreadPark, only waits above JFR's threshold).
"""
import collections
import re
import subprocess
import sys

INCLUSIVE = ("io.tieredarchive.", "org.apache.kafka.", "software.amazon.", "com.github.luben.", "java.util.zip.")


def events(path, kinds, depth):
    out = subprocess.run(["jfr", "print", "--events", ",".join(kinds), "--stack-depth", str(depth), path],
                         check=True, capture_output=True, text=True).stdout
    for block in out.split("\n}\n"):
        head = block.strip().split(" {", 1)
        if len(head) == 2:
            yield head[0], head[1]


def thread_of(body):
    m = re.search(r'(?:sampledThread|eventThread) = "([^"]*)"', body)
    return re.sub(r"\d+", "N", m.group(1)) if m else "?"


def frames(body):
    m = re.search(r"stackTrace = \[\n(.*?)\n\s*\]", body, re.S)
    if not m:
        return []
    return [re.sub(r"\s+line:.*$", "", f.strip()) for f in m.group(1).split("\n") if f.strip() != "..."]


def millis(body):
    m = re.search(r"duration = ([\d.]+) (s|ms|us|ns)", body)
    if not m:
        return 0.0
    return float(m.group(1)) * {"s": 1000, "ms": 1, "us": 0.001, "ns": 0.000001}[m.group(2)]


def table(title, counter, total, top):
    print("\n%s\n" % title)
    print("| samples | share | where |\n|---:|---:|---|")
    for key, n in counter.most_common(top):
        print("| %d | %.1f %% | `%s` |" % (n, 100.0 * n / max(total, 1), key))


def main():
    path, top = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 12
    threads, self_time, inclusive, total = collections.Counter(), collections.Counter(), collections.Counter(), 0
    for kind, body in events(path, ["jdk.ExecutionSample"], 48):
        stack = frames(body)
        if not stack:
            continue
        total += 1
        threads[thread_of(body)] += 1
        self_time[stack[0]] += 1
        for f in set(stack):
            if f.startswith(INCLUSIVE):
                inclusive[f] += 1
    print("%s: %d CPU samples (JFR samples running Java threads every 10-20 ms)" % (path, total))
    table("CPU samples by thread", threads, total, top)
    table("On top of the stack (self)", self_time, total, top)
    table("Anywhere on the stack (project, Kafka, AWS SDK, zstd, zip)", inclusive, total, top)
    waits = collections.defaultdict(lambda: [0, 0.0])
    for kind, body in events(path, ["jdk.FileForce", "jdk.SocketRead", "jdk.SocketWrite", "jdk.ThreadPark"], 1):
        w = waits[(kind, thread_of(body))]
        w[0] += 1
        w[1] += millis(body)
    print("\nWaits (events above JFR's thresholds)\n")
    print("| event | thread | count | total ms |\n|---|---|---:|---:|")
    for (kind, thread), (n, ms) in sorted(waits.items(), key=lambda kv: -kv[1][1])[:top]:
        print("| %s | %s | %d | %.0f |" % (kind, thread, n, ms))


if __name__ == "__main__":
    main()
