package io.tieredarchive.sink;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.sink.PartitionArchive.Admission;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.remote.Incarnation;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which incarnation of each assigned partition a task archives, on a real {@code local.dir} and file-system bucket:
 * a partition Kafka cannot tell about waits with a backoff before any record is written, and a topic deleted and
 * created again is sealed and archived again apart, from its first offset.
 */
class PartitionOpeningTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final long CHECK_INTERVAL_MS = 60_000;

    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private final TestIdentities identities = new TestIdentities();
    private final FakeSinkTaskContext context = new FakeSinkTaskContext();
    private final OpenPartitions partitions = new OpenPartitions(new BufferBudget(64L << 20));
    private FileSystemTiers tiers;
    private TieringService service;
    private TieredDurability durability;
    private PartitionOpening opening;

    @BeforeEach
    void setUp() {
        tiers = new FileSystemTiers(tmp.resolve("bucket"), clock::get);
        service = tiers.service(tmp.resolve("local"));
        durability = tiers.durability(service, false, () -> { });
        PartitionOpener opener = new PartitionOpener(service.localTier().dir(), durability, identities,
                new SegmentWriterOptions("none", null, 4096, "writer-1"), 1 << 20, 60_000,
                (p, files, meta, bytes) -> durability.sealed(p.archivePartition(), files, meta), clock::get,
                dir -> { });
        opening = new PartitionOpening(opener, partitions, new IdentityWatch(identities, clock::get,
                CHECK_INTERVAL_MS), new RetryState(clock::get), context,
                tp -> partitions.close(tp, clock.get(), () -> { }));
    }

    @AfterEach
    void tearDown() throws Exception {
        Closing.closeAll(durability, tiers, context.metrics);
    }

    private void append(PartitionArchive partition, long from, long to) throws Exception {
        for (long offset = from; offset < to; offset++) {
            assertEquals(Admission.APPEND, partition.admit(offset, false));
            partition.append(new ArchivedRecord(offset, offset, TimestampType.CREATE_TIME, null,
                    ("v" + offset).getBytes(StandardCharsets.UTF_8)), clock.get());
        }
    }

    private Path dir() {
        return PartitionArchive.directory(service.localTier().dir(), TP);
    }

    @Test
    void assignedPartitionsAreOpenedOnceUnderTheLiveIncarnation() {
        opening.open(List.of(TP));
        PartitionArchive opened = partitions.get(TP);
        assertEquals(identities.of(TP.topic()), opened.archivePartition().incarnation());

        opening.open(List.of(TP));
        assertSame(opened, partitions.get(TP), "an open partition is not opened again");
        assertEquals(Map.of(), context.takeOffsets(), "a partition with no older incarnation is not moved");
    }

    @Test
    void aPartitionKafkaCannotTellAboutWaitsWithABackoffBeforeAnyRecordIsWritten() {
        identities.unavailable = true;
        opening.open(List.of(TP));
        assertTrue(partitions.all().isEmpty());

        RetriableException e = assertThrows(RetriableException.class, opening::beforeBatch);
        assertTrue(e.getMessage().contains("Cannot tell where an assigned partition's archive ends"),
                e.getMessage());
        assertEquals(1, context.timeouts.size(), "Connect is asked to wait before delivering the batch again");
        assertTrue(context.timeouts.get(0) > 0);

        identities.unavailable = false;
        opening.beforeBatch();
        assertTrue(partitions.contains(TP), "opened once Kafka answers");
    }

    @Test
    void aTopicFoundRecreatedByThePeriodicCheckIsSealedAndArchivedAgainFromItsFirstOffset() throws Exception {
        opening.open(List.of(TP));
        PartitionArchive old = partitions.get(TP);
        append(old, 0, 10);
        Incarnation oldIncarnation = old.archivePartition().incarnation();

        identities.recreate(TP.topic(), 0);
        opening.beforeBatch();
        assertSame(old, partitions.get(TP), "no check is due yet");

        clock.addAndGet(CHECK_INTERVAL_MS);
        opening.beforeBatch();
        PartitionArchive reopened = partitions.get(TP);
        assertNotSame(old, reopened);
        assertNotEquals(oldIncarnation, reopened.archivePartition().incarnation());
        assertEquals(identities.of(TP.topic()), reopened.archivePartition().incarnation());
        assertEquals(Map.of(TP, 0L), context.takeOffsets(), "the consumer is moved to the new topic's start");
        assertTrue(ArchiveContents.sealed(dir()).isEmpty(), "the old incarnation's folder moved out of the way");
    }

    @Test
    void offsetsGoingBackOnTheSameTopicAreSkippedAsArchived() throws Exception {
        opening.open(List.of(TP));
        PartitionArchive partition = partitions.get(TP);
        append(partition, 0, 10);
        assertEquals(Admission.CHECK_IDENTITY, partition.admit(4, false));

        assertSame(partition, opening.verifyIdentity(partition, 4));
        assertEquals(Admission.SKIP, partition.admit(4, false), "the topic is the same: offset 4 is archived");
    }

    @Test
    void offsetsGoingBackOnARecreatedTopicOpenItAgainAsTheNewIncarnation() throws Exception {
        opening.open(List.of(TP));
        PartitionArchive partition = partitions.get(TP);
        append(partition, 0, 10);
        identities.recreate(TP.topic(), 0);
        assertEquals(Admission.CHECK_IDENTITY, partition.admit(0, false));

        PartitionArchive reopened = opening.verifyIdentity(partition, 0);
        assertNotSame(partition, reopened);
        assertEquals(identities.of(TP.topic()), reopened.archivePartition().incarnation());
        assertEquals(Admission.APPEND, reopened.admit(0, false), "the new topic's offset 0 is archived too");
    }

    @Test
    void whenKafkaCannotSayWhetherTheTopicWasRecreatedNothingIsSkipped() throws Exception {
        opening.open(List.of(TP));
        PartitionArchive partition = partitions.get(TP);
        append(partition, 0, 10);
        partition.admit(4, false);
        identities.unavailable = true;

        assertThrows(RetriableException.class, () -> opening.verifyIdentity(partition, 4));
        assertEquals(Admission.CHECK_IDENTITY, partition.admit(4, false), "still in doubt");
        assertEquals(1, context.timeouts.size());
    }
}
