package io.tieredarchive.sink;

import io.tieredarchive.failure.Backoff;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durability and rewind logic of {@link ArchiveSinkTask}, on real segment files, with {@code commit.mode=local}
 * (a real tier on a directory used as a bucket, never run here); {@link ArchiveSinkTaskTieringTest} covers the S3
 * side.
 */
class ArchiveSinkTaskTest extends SinkTaskTestBase {

    @Test
    void commitsOnlySealedRecordsAndSealsByAgeWithoutNewRecords() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        task.open(List.of(TP));
        task.put(records(TP, 0, 100));

        assertEquals(committed(0), task.preCommit(consumed(TP, 100)).get(TP),
                "nothing is durable before the first seal");
        assertEquals(List.of(), ArchiveContents.sealed(dir(TP)));

        expire();
        task.put(List.of()); // Connect calls put() with no records when the topic is quiet
        assertEquals(1, ArchiveContents.sealed(dir(TP)).size());
        assertEquals(committed(100), task.preCommit(consumed(TP, 100)).get(TP));
        assertEquals(LongStream.range(0, 100).boxed().toList(), ArchiveContents.offsets(dir(TP)));
        assertEquals(1.0, context.metric(SinkMetrics.SEGMENTS_SEALED + "-total"));
        assertTrue((Double) context.metric(SinkMetrics.COMPRESSION_RATIO) > 1.0);
        assertTrue(context.commitRequests > 0, "a seal asks Connect to commit soon");
    }

    /**
     * Connect polls for records until its next offset commit (60 s by default) before it calls put() again: a put
     * or preCommit that leaves an active segment caps that poll at the segment's {@code segment.ms}, so the last
     * segment of a burst is sealed then.
     */
    @Test
    void connectsNextPollEndsWhenTheOldestActiveSegmentReachesSegmentMs() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        task.open(List.of(TP, new TopicPartition(TOPIC, 1)));
        task.put(records(TP, 0, 10));
        assertEquals(List.of(SEGMENT_MS), context.timeouts);
        clock.addAndGet(4_000);
        task.put(records(new TopicPartition(TOPIC, 1), 0, 10)); // a younger segment: the older one comes first
        task.preCommit(consumed(TP, 10));
        assertEquals(List.of(SEGMENT_MS, SEGMENT_MS - 4_000, SEGMENT_MS - 4_000), context.timeouts);

        clock.addAndGet(SEGMENT_MS - 4_000);
        task.put(List.of()); // that poll returned nothing: TP's segment is sealed, the other one is next
        assertEquals(1, ArchiveContents.sealed(dir(TP)).size());
        assertEquals(4_000L, context.timeouts.get(context.timeouts.size() - 1));
        clock.addAndGet(4_000);
        task.put(List.of());
        int asked = context.timeouts.size();
        task.put(List.of());
        assertEquals(asked, context.timeouts.size(), "no active segment: Connect's own poll timeout stands");
    }

    /** After a failed write Connect backs off; a preCommit during that time does not cut the backoff short. */
    @Test
    void theCapNeverShortensABackoff() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        TopicPartition other = new TopicPartition(TOPIC, 1);
        task.open(List.of(TP, other));
        task.put(records(other, 0, 5)); // stays active
        task.put(records(TP, 0, 10));
        task.close(List.of(TP));
        task.open(List.of(TP));
        Files.createDirectories(SegmentFiles.of(dir(TP), 10).offsetIndex()); // the next segment cannot start
        assertThrows(RetriableException.class, () -> task.put(records(TP, 10, 20)));
        int asked = context.timeouts.size();
        task.preCommit(consumed(other, 5));
        assertEquals(asked, context.timeouts.size(), "the backoff stands");
        assertEquals(Backoff.SINK_WRITE.initialMs(), context.timeouts.get(asked - 1));
    }

    @Test
    void preCommitAloneSealsExpiredSegments() throws Exception {
        ArchiveSinkTask task = start(new FakeSinkTaskContext());
        task.open(List.of(TP));
        task.put(records(TP, 0, 10));
        expire();
        assertEquals(committed(10), task.preCommit(consumed(TP, 10)).get(TP));
        assertEquals(1, ArchiveContents.sealed(dir(TP)).size());
    }

    @Test
    void archivedRecordsAreByteIdenticalIncludingNullsAndTimestamps() throws Exception {
        ArchiveSinkTask task = start(new FakeSinkTaskContext());
        task.open(List.of(TP));
        SinkRecord tombstone = new SinkRecord(TOPIC, 0, null, null, null, null, 1, 5L, TimestampType.LOG_APPEND_TIME);
        SinkRecord normal = record(TP, 0);
        task.put(List.of(normal, tombstone));
        task.close(List.of(TP));

        List<ArchivedRecord> archived = ArchiveContents.read(dir(TP));
        assertEquals(2, archived.size());
        assertArrayEquals((byte[]) normal.key(), archived.get(0).key());
        assertArrayEquals((byte[]) normal.value(), archived.get(0).value());
        assertEquals("h", archived.get(0).headers()[0].key());
        assertArrayEquals((byte[]) normal.headers().lastWithName("h").value(), archived.get(0).headers()[0].value());
        assertEquals(normal.timestamp(), archived.get(0).timestamp());
        assertNull(archived.get(1).key());
        assertNull(archived.get(1).value(), "a tombstone stays a tombstone");
        assertEquals(TimestampType.LOG_APPEND_TIME, archived.get(1).timestampType());
        assertEquals(5L, archived.get(1).timestamp());
    }

    @Test
    void rollsAtSegmentBytesAndSegmentsNeverOverlap() throws Exception {
        ArchiveSinkTask task = start(new FakeSinkTaskContext(), Map.of("compression.type", "none"));
        task.open(List.of(TP));
        task.put(records(TP, 0, 3000));
        task.close(List.of(TP));

        List<SegmentFiles> sealed = ArchiveContents.sealed(dir(TP));
        assertTrue(sealed.size() > 2, "3000 records of ~60 bytes fill several 64 KiB segments: " + sealed.size());
        for (SegmentFiles files : sealed) {
            assertTrue(Files.size(files.log()) <= 64 * 1024, files + " is larger than segment.bytes");
        }
        assertEquals(LongStream.range(0, 3000).boxed().toList(), ArchiveContents.offsets(dir(TP)));
    }

    @Test
    void afterACrashUnsealedSegmentsAreDiscardedAndSealedRecordsSkipped() throws Exception {
        FakeSinkTaskContext first = new FakeSinkTaskContext();
        ArchiveSinkTask crashed = start(first);
        crashed.open(List.of(TP));
        crashed.put(records(TP, 0, 100));
        expire();
        crashed.put(records(TP, 100, 150)); // seals 0..99 first, then starts 100..149, never sealed
        assertEquals(2, SegmentFiles.list(dir(TP)).size());
        tasks.remove(crashed); // a crash: neither close() nor stop(), and 0..99 was never committed

        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        task.open(List.of(TP));
        assertEquals(1, SegmentFiles.list(dir(TP)).size(), "the unsealed segment is gone");
        assertEquals(Map.of(), context.takeOffsets(), "the consumer's position is not known before a record");

        task.put(records(TP, 0, 40)); // Connect starts at the last committed offset: nothing was committed
        assertEquals(Map.of(TP, 100L), context.takeOffsets(), "skips what the archive holds already");
        assertEquals(committed(40), task.preCommit(consumed(TP, 40)).get(TP),
                "never beyond what Connect delivered");
        assertEquals(committed(100), task.preCommit(consumed(TP, 100)).get(TP));
        task.put(records(TP, 100, 200));
        task.close(List.of(TP));
        assertEquals(LongStream.range(0, 200).boxed().toList(), ArchiveContents.offsets(dir(TP)));
    }

    @Test
    void consumerAheadOfTheLocalArchiveIsNotRewound() throws Exception {
        ArchiveSinkTask earlier = start(new FakeSinkTaskContext());
        earlier.open(List.of(TP));
        earlier.put(records(TP, 0, 100));
        earlier.close(List.of(TP));

        // Offsets 100..499 were archived and committed by a worker with its own disk.
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        task.open(List.of(TP));
        task.put(records(TP, 500, 510));
        assertEquals(Map.of(), context.takeOffsets(), "no rewind to 100: that would archive 100..499 twice");
        assertEquals(committed(500), task.preCommit(consumed(TP, 510)).get(TP),
                "never moves the committed offset back below the consumer's position");
        task.close(List.of(TP));
        List<Long> expected = new ArrayList<>(LongStream.range(0, 100).boxed().toList());
        expected.addAll(LongStream.range(500, 510).boxed().toList());
        assertEquals(expected, ArchiveContents.offsets(dir(TP)));
    }

    @Test
    void closeAbortsAnEmptySegmentAndReopeningTheSamePartitionContinues() throws Exception {
        ArchiveSinkTask task = start(new FakeSinkTaskContext());
        task.open(List.of(TP));
        task.close(List.of(TP));
        assertEquals(List.of(), SegmentFiles.list(dir(TP)), "no segment for no records");

        task.open(List.of(TP));
        task.put(records(TP, 0, 30));
        task.close(List.of(TP));
        task.open(List.of(TP));
        task.put(records(TP, 0, 60)); // Connect redelivers from the last commit, which was 0
        task.close(List.of(TP));
        assertEquals(LongStream.range(0, 60).boxed().toList(), ArchiveContents.offsets(dir(TP)));
        assertEquals(2, ArchiveContents.sealed(dir(TP)).size());
    }

    @Test
    void recordsRedeliveredOutOfOrderAfterARewindAreSkipped() throws Exception {
        ArchiveSinkTask task = start(new FakeSinkTaskContext());
        task.open(List.of(TP));
        task.put(records(TP, 0, 50));
        task.put(records(TP, 20, 70)); // Connect rewound to 20 (e.g. a failed preCommit elsewhere)
        task.put(records(TP, 70, 80));
        task.close(List.of(TP));
        assertEquals(LongStream.range(0, 80).boxed().toList(), ArchiveContents.offsets(dir(TP)));
    }

    @Test
    void aWriteFailureAbortsTheSegmentRewindsAndDropsTheStaleRetriedBatch() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        TopicPartition other = new TopicPartition(TOPIC, 1);
        task.open(List.of(TP, other));
        task.put(records(TP, 0, 40));
        expire();
        task.put(records(TP, 40, 50)); // seals 0..39; 40..49 active
        deleteRecursively(dir(TP)); // the disk loses the directory: sealing 40..49 must fail
        expire();
        List<SinkRecord> batch = new ArrayList<>(records(other, 0, 5));
        batch.addAll(records(TP, 50, 60));
        assertThrows(RetriableException.class, () -> task.put(batch));
        assertEquals(Map.of(TP, 40L), context.takeOffsets(), "rewound to the first record of the lost segment");
        // Each successful put capped Connect's next poll at segment.ms; the failed one asked for the backoff, last.
        assertEquals(List.of(SEGMENT_MS, SEGMENT_MS, Backoff.SINK_WRITE.initialMs()), context.timeouts);

        task.put(batch); // Connect retries the same batch before the rewind takes effect
        task.put(records(TP, 40, 60)); // then delivers from the rewind point
        task.close(List.of(TP, other));
        assertEquals(LongStream.range(40, 60).boxed().toList(), ArchiveContents.offsets(dir(TP)),
                "0..39 vanished with the directory; 40..59 are archived once, in order");
        assertEquals(LongStream.range(0, 5).boxed().toList(), ArchiveContents.offsets(dir(other)));
        assertEquals(1.0, context.metric(SinkMetrics.SEGMENTS_ABORTED_TOTAL));
    }

    @Test
    void aFailureToStartASegmentRewindsToTheArchiveEnd() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        task.open(List.of(TP));
        task.put(records(TP, 0, 10));
        task.close(List.of(TP));
        task.open(List.of(TP));
        // A file in the way of the next segment's index: SegmentWriter.create refuses to start it.
        Files.createDirectories(SegmentFiles.of(dir(TP), 10).offsetIndex());
        List<SinkRecord> batch = records(TP, 10, 20);
        assertThrows(RetriableException.class, () -> task.put(batch));
        assertEquals(Map.of(TP, 10L), context.takeOffsets());
        Files.delete(SegmentFiles.of(dir(TP), 10).offsetIndex());
        task.put(batch); // Connect retries the same batch: dropped, the consumer was rewound
        task.put(records(TP, 10, 20)); // the redelivery from the rewind point
        task.close(List.of(TP));
        assertEquals(LongStream.range(0, 20).boxed().toList(), ArchiveContents.offsets(dir(TP)));
        // The backoff, between the segment.ms caps of the puts that left an active segment.
        assertEquals(List.of(SEGMENT_MS, Backoff.SINK_WRITE.initialMs(), SEGMENT_MS), context.timeouts);
    }

    /**
     * A full disk fails every write, but the retried batch (its stale copies dropped, the rest only buffered) goes
     * through in between: the backoff still doubles while failures repeat, and starts at 1 s again only after a
     * quiet minute. It used to start at 1 s after each such put, so a full disk was retried every second for ever.
     */
    @Test
    void theBackoffDoublesWhileWriteFailuresRepeatAndResetsAfterAQuietMinute() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        task.open(List.of(TP));
        task.put(records(TP, 0, 10));
        task.close(List.of(TP));
        task.open(List.of(TP));
        Path blocker = SegmentFiles.of(dir(TP), 10).offsetIndex();
        Files.createDirectories(blocker); // the next segment cannot start, as on a full disk
        for (int attempt = 0; attempt < 3; attempt++) {
            List<SinkRecord> batch = records(TP, 10, 20);
            assertThrows(RetriableException.class, () -> task.put(batch));
            task.put(batch); // Connect retries the same batch: its stale copies are dropped, the put succeeds
            clock.addAndGet(context.timeouts.get(context.timeouts.size() - 1));
        }
        assertEquals(List.of(SEGMENT_MS, 1_000L, 2_000L, 4_000L), context.timeouts, "the first put's segment.ms cap, "
                + "then the backoffs");

        Files.delete(blocker);
        task.put(records(TP, 10, 20));
        clock.addAndGet(Backoff.SINK_WRITE.resetAfterMs());
        task.put(records(TP, 20, 21)); // a minute without failure
        tiers.of(localDir).runPass(); // waits for the pass a seal started, which writes in the directory
        deleteRecursively(dir(TP)); // sealing the active segment fails
        expire();
        assertThrows(RetriableException.class, () -> task.put(records(TP, 21, 22)));
        long initial = Backoff.SINK_WRITE.initialMs();
        assertEquals(List.of(SEGMENT_MS, 1_000L, 2_000L, 4_000L, SEGMENT_MS, SEGMENT_MS, initial), context.timeouts);
    }

    @Test
    void openRefusesOverlappingSealedSegments() throws Exception {
        SegmentWriterOptions options = new SegmentWriterOptions("none", null, 1024, "test");
        for (long base : new long[] {0, 5}) {
            SegmentWriter writer = SegmentWriter.create(dir(TP), TOPIC, 0, base, options);
            for (long o = base; o < base + 10; o++) {
                writer.append(new ArchivedRecord(o, 1L, TimestampType.CREATE_TIME, null, new byte[] {1}));
            }
            writer.seal(1L);
        }
        ArchiveSinkTask task = start(new FakeSinkTaskContext());
        var e = assertThrows(org.apache.kafka.connect.errors.ConnectException.class, () -> task.open(List.of(TP)));
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());
    }

    @Test
    void badRecordsGoToTheErrorReporter() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context, Map.of("value.converter",
                "org.apache.kafka.connect.converters.ByteArrayConverter"));
        task.open(List.of(TP));
        SinkRecord bad = new SinkRecord(TOPIC, 0, null, null, Schema.STRING_SCHEMA, "not bytes", 1);
        task.put(List.of(record(TP, 0), bad, record(TP, 2)));
        task.close(List.of(TP));
        assertEquals(List.of(bad), context.reported);
        assertEquals(List.of(0L, 2L), ArchiveContents.offsets(dir(TP)));
    }

    @Test
    void withoutAnErrorReporterABadRecordFailsTheTask() {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        context.withReporter = false;
        ArchiveSinkTask task = start(context, Map.of("value.converter",
                "org.apache.kafka.connect.converters.ByteArrayConverter"));
        task.open(List.of(TP));
        SinkRecord bad = new SinkRecord(TOPIC, 0, null, null, Schema.STRING_SCHEMA, "not bytes", 7);
        DataException e = assertThrows(DataException.class, () -> task.put(List.of(bad)));
        assertTrue(e.getMessage().contains("events-0 offset 7"), e.getMessage());
    }

    @Test
    void fiveHundredPartitionsStayWithinTheBufferBudget() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context, Map.of("segment.ms", "3600000"));
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < 500; p++) {
            tps.add(new TopicPartition(TOPIC, p));
        }
        task.open(tps);
        for (long offset = 0; offset < 5; offset++) {
            List<SinkRecord> batch = new ArrayList<>();
            for (TopicPartition tp : tps) {
                batch.add(record(tp, offset));
            }
            task.put(batch);
            assertTrue(task.budget().bufferedBytes() <= task.budget().limit());
        }
        BufferBudget budget = task.budget();
        assertEquals(BufferBudget.limitFor(1024), budget.limit());
        assertTrue(budget.peakBytes() <= budget.limit(), budget.peakBytes() + " > " + budget.limit());
        assertTrue(budget.forcedFlushes() > 0, "the budget had to flush batches early");
        assertTrue(budget.peakBytes() > budget.limit() / 2, "the budget was used: " + budget.peakBytes());
        assertEquals((double) budget.peakBytes(), ((Number) context.metric(SinkMetrics.BUFFERED_BYTES_MAX))
                .doubleValue());
        assertEquals(500.0, ((Number) context.metric(SinkMetrics.ACTIVE_PARTITIONS)).doubleValue());
        task.close(tps);
        assertEquals(0, budget.bufferedBytes());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), ArchiveContents.offsets(dir(tps.get(499))));
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void stopWithoutCloseLeavesNoUnsealedSegment() throws Exception {
        ArchiveSinkTask task = start(new FakeSinkTaskContext());
        task.open(List.of(TP));
        task.put(records(TP, 0, 10));
        task.stop();
        tasks.remove(task);
        assertEquals(List.of(), SegmentFiles.list(dir(TP)));
        assertFalse(Files.exists(SegmentFiles.of(dir(TP), 0).log()));
    }
}
