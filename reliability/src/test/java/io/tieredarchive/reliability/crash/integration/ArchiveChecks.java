package io.tieredarchive.reliability.crash.integration;

import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.remote.RemoteSegmentStore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static io.tieredarchive.sink.integration.ArchiveFixture.partitionDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks of a sink's archive that the sink's own test helpers (ArchiveFixture, shared through its test-jar) lack:
 * the active segments of a topic, and the chain of segments S3 holds.
 */
final class ArchiveChecks {

    private ArchiveChecks() {
    }

    /** Active (unsealed) segments of {@code topic}'s partitions right now. */
    static long unsealedSegments(Path localDir, String topic, int partitions) {
        long count = 0;
        for (int p = 0; p < partitions; p++) {
            count += SegmentFiles.list(partitionDir(localDir, topic, p)).stream().filter(f -> !f.isSealed()).count();
        }
        return count;
    }

    /**
     * Waits until S3 holds each partition up to {@code ends} (exclusive), and asserts that its segments there
     * chain without a gap and without an overlap from offset 0: on one disk, no record reaches S3 twice.
     */
    static void awaitS3Chain(RemoteSegmentStore store, String topic, Map<Integer, Long> ends, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<Integer, Long> e : ends.entrySet()) {
            List<SegmentMetadata> segments;
            while (true) {
                segments = store.view(store.catalog().resolve(topic, e.getKey(), IncarnationSelection.LATEST_ONE))
                        .segments().stream()
                        .sorted(Comparator.comparingLong(SegmentMetadata::baseOffset)).toList();
                long end = segments.isEmpty() ? 0 : segments.get(segments.size() - 1).nextOffset();
                if (end >= e.getValue()) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, topic + "-" + e.getKey() + ": S3 holds up to " + end
                        + ", not " + e.getValue() + ", after " + timeout);
                Thread.sleep(500);
            }
            long next = 0;
            for (SegmentMetadata m : segments) {
                assertEquals(next, m.baseOffset(), topic + "-" + e.getKey() + ": S3 segment after offset " + next
                        + " (a gap or an overlap); segments " + segments.stream()
                        .map(s -> s.baseOffset() + ".." + s.lastOffset() + "@" + s.writerId()).toList());
                next = m.nextOffset();
            }
            assertEquals(e.getValue(), next, topic + "-" + e.getKey() + ": S3 ends at the topic's end");
        }
    }
}
