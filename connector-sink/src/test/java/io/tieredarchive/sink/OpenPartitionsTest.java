package io.tieredarchive.sink;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.sink.PartitionArchive.Admission;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.tier.TieringService;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A task's open partitions, opened for real on a {@code local.dir} with {@code commit.mode=local}: which offsets
 * they let the task commit, which segments {@code segment.ms} seals, and what closing and aborting leave on disk.
 */
class OpenPartitionsTest {

    private static final TopicPartition A = new TopicPartition("orders", 0);
    private static final TopicPartition B = new TopicPartition("orders", 1);
    private static final long SEGMENT_MS = 5_000;

    @TempDir
    Path tmp;

    private FileSystemTiers tiers;
    private TieringService service;
    private TieredDurability durability;
    private final OpenPartitions partitions = new OpenPartitions(new BufferBudget(64L << 20));

    @BeforeEach
    void open() {
        tiers = new FileSystemTiers(tmp.resolve("bucket"), System::currentTimeMillis);
        service = tiers.service(tmp.resolve("local"));
        durability = tiers.durability(service, false, () -> { });
        new PartitionOpener(service.localTier().dir(), durability, new TestIdentities(),
                new SegmentWriterOptions("none", null, 4096, "writer-1"), 1 << 20, SEGMENT_MS,
                (p, files, meta, bytes) -> durability.sealed(p.archivePartition(), files, meta),
                System::currentTimeMillis, dir -> { }).open(List.of(A, B), partitions::add);
    }

    @AfterEach
    void tearDown() throws Exception {
        Closing.closeAll(durability, tiers);
    }

    /** Appends offsets {@code from..to-1} to {@code tp}'s archive at {@code nowMs}, as the task's put does. */
    private void put(TopicPartition tp, long from, long to, long nowMs) throws Exception {
        PartitionArchive partition = partitions.get(tp);
        for (long offset = from; offset < to; offset++) {
            assertEquals(Admission.APPEND, partition.admit(offset, false));
            partition.append(new ArchivedRecord(offset, offset, TimestampType.CREATE_TIME, null,
                    ("v" + offset).getBytes(StandardCharsets.UTF_8)), nowMs);
            partitions.appended(partition);
        }
    }

    private Path dir(TopicPartition tp) {
        return PartitionArchive.directory(service.localTier().dir(), tp);
    }

    @Test
    void onlyDurableOffsetsAreCommittedAndNeverAheadOfWhatConnectDelivered() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> assigned = Map.of(A, new OffsetAndMetadata(0),
                B, new OffsetAndMetadata(0));
        assertEquals(Map.of(A, new OffsetAndMetadata(0, "m#1"), B, new OffsetAndMetadata(0, "m#2")),
                partitions.committable(durability, assigned, "m"),
                "before the first record: Connect's offset (where the consumer was put), with new metadata");

        Map<TopicPartition, OffsetAndMetadata> current = Map.of(A, new OffsetAndMetadata(20),
                B, new OffsetAndMetadata(7));
        put(A, 0, 20, 0);
        put(B, 0, 7, 0);
        assertEquals(Map.of(A, new OffsetAndMetadata(0, "m#3"), B, new OffsetAndMetadata(0, "m#4")),
                partitions.committable(durability, current, "m"),
                "nothing sealed: the consumer's first position, never ahead of what is durable");

        partitions.close(A, 0, () -> { }); // seals A's segment
        assertFalse(partitions.contains(A));
        assertEquals(Map.of(B, new OffsetAndMetadata(0, "m#5")), partitions.committable(durability, current, "m"),
                "a closed partition is not committed by this task; an unchanged offset gets new metadata");
    }

    @Test
    void theSameOffsetIsNeverReturnedWithTheSameMetadataTwice() throws Exception {
        put(A, 0, 10, 0);
        partitions.get(A).seal(0);
        Map<TopicPartition, OffsetAndMetadata> current = Map.of(A, new OffsetAndMetadata(10));

        assertEquals(new OffsetAndMetadata(10, "m"), partitions.committable(durability, current, "m").get(A),
                "sealed with commit.mode=local: durable");
        assertEquals(new OffsetAndMetadata(10, "m#1"), partitions.committable(durability, current, "m").get(A));
        assertEquals(new OffsetAndMetadata(10, "m#2"), partitions.committable(durability, current, "m").get(A),
                "Connect skips a commit equal to its last one, which KIP-848's consumer does not survive");
    }

    @Test
    void segmentsOlderThanSegmentMsAreSealedAndTheOthersWait() throws Exception {
        put(A, 0, 5, 1_000);
        put(B, 0, 5, 4_000);
        AtomicInteger failures = new AtomicInteger();

        partitions.sealExpired(1_000 + SEGMENT_MS, (p, e) -> {
            failures.incrementAndGet();
            return new IllegalStateException(e);
        }, true);

        assertEquals(1, ArchiveContents.sealed(dir(A)).size(), "A's segment reached segment.ms");
        assertEquals(0, ArchiveContents.sealed(dir(B)).size(), "B's has 3 s to go");
        assertTrue(partitions.get(B).hasActiveSegment());
        assertEquals(0, failures.get());

        partitions.sealExpired(4_000 + SEGMENT_MS, (p, e) -> new IllegalStateException(e), true);
        assertEquals(1, ArchiveContents.sealed(dir(B)).size());
    }

    @Test
    void closingSealsTheActiveSegmentAndAbortingDeletesIt() throws Exception {
        put(A, 0, 10, 0);
        put(B, 0, 10, 0);
        partitions.updateGauges();
        assertEquals(2, partitions.activeCount());
        assertEquals(2, partitions.assignedCount());

        PartitionArchive closed = partitions.close(A, 0, () -> { });
        assertEquals(A, closed.topicPartition());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), ArchiveContents.offsets(dir(A)),
                "closing a partition seals what it holds");
        assertNull(partitions.close(A, 0, () -> { }), "closed once");

        partitions.abortAll();
        assertTrue(SegmentFiles.list(dir(B)).isEmpty(), "an aborted active segment is deleted");
        partitions.updateGauges();
        assertEquals(0, partitions.activeCount());
        assertEquals(0, partitions.assignedCount());
    }
}
