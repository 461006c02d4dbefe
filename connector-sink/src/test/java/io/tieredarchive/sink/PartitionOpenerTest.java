package io.tieredarchive.sink;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.sink.PartitionArchive.Admission;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.tier.LocalTier;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.remote.ArchivePartition;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.tieredarchive.sink.FileSystemTiers.seal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opening assigned partitions on a real {@code local.dir} and a file-system bucket: where each one's archive starts,
 * what waits while Kafka cannot tell a topic's identity, and what happens to a directory of another incarnation.
 */
class PartitionOpenerTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);

    @TempDir
    Path tmp;

    private FileSystemTiers tiers;
    private TieringService service;
    private TieredDurability durability;
    private final TestIdentities identities = new TestIdentities();
    private final List<PartitionArchive> opened = new ArrayList<>();

    @BeforeEach
    void setUp() {
        tiers = new FileSystemTiers(tmp.resolve("bucket"), System::currentTimeMillis);
        service = tiers.service(tmp.resolve("local"));
        durability = tiers.durability(service, true, () -> { });
    }

    @AfterEach
    void tearDown() throws Exception {
        Closing.closeAll(durability, tiers);
    }

    private PartitionOpener opener() {
        return new PartitionOpener(service.localTier().dir(), durability, identities,
                new SegmentWriterOptions("none", null, 4096, "writer-1"), 1 << 20, 60_000,
                (p, files, meta, bytes) -> durability.sealed(p.archivePartition(), files, meta),
                System::currentTimeMillis, dir -> { });
    }

    private Path dir() {
        return PartitionArchive.directory(service.localTier().dir(), TP);
    }

    private ArchivePartition live() {
        return new ArchivePartition(TP.topic(), identities.of(TP.topic()), TP.partition());
    }

    @Test
    void aNewPartitionOpensWithNothingArchivedUnderTheLiveIncarnation() {
        opener().open(List.of(TP), opened::add);

        assertEquals(1, opened.size());
        PartitionArchive archive = opened.get(0);
        assertEquals(TP, archive.topicPartition());
        assertEquals(live(), archive.archivePartition(), "the live topic's identity, asked of Kafka");
        assertEquals(-1, archive.archivedEnd());
        assertEquals(Admission.APPEND, archive.admit(0, false));
    }

    @Test
    void aPartitionOpensWhereItsSealedSegmentsEndAndTheCutOneIsDiscarded() throws Exception {
        seal(service, durability, live(), 0, 10);
        SegmentWriter cut = SegmentWriter.create(dir(), TP.topic(), TP.partition(), 10,
                new SegmentWriterOptions("none", null, 4096, "writer-1"));
        cut.flushBatch();

        opener().open(List.of(TP), opened::add);

        assertEquals(10, opened.get(0).archivedEnd(), "records below 10 are archived already");
        assertFalse(Files.exists(cut.files().log()), "the segment a crash cut is discarded");
        assertEquals(Admission.SKIP, opened.get(0).admit(5, false), "offsets Kafka delivers again are skipped");
    }

    @Test
    void aPartitionArchivedInTheStoreByAnotherWorkerOpensAtTheStoresEnd() throws Exception {
        TieringService elsewhere = tiers.service(tmp.resolve("worker-a"));
        try (TieredDurability other = tiers.durability(elsewhere, true, () -> { })) {
            other.archivedEnd(live(), -1);
            seal(elsewhere, other, live(), 0, 25);
            elsewhere.runPass();
        }

        opener().open(List.of(TP), opened::add);

        assertEquals(25, opened.get(0).archivedEnd());
    }

    @Test
    void whileKafkaCannotTellTheTopicsIdentityThePartitionWaitsThenOpens() throws Exception {
        identities.unavailable = true;
        PartitionOpener opener = opener();
        opener.open(List.of(TP), opened::add);

        assertTrue(opened.isEmpty(), "nothing opened");
        assertTrue(opener.isPending(TP));
        PartitionOpener.NotNowException e = assertThrows(PartitionOpener.NotNowException.class,
                () -> opener.openPending(opened::add));
        assertTrue(e.getMessage().contains("cannot ask Kafka for the topics' identity"), e.getMessage());

        identities.unavailable = false;
        opener.openPending(opened::add);
        assertEquals(1, opened.size());
        assertFalse(opener.hasPending());
    }

    @Test
    void aClosedPendingPartitionIsForgotten() {
        identities.unavailable = true;
        PartitionOpener opener = opener();
        opener.open(List.of(TP), opened::add);

        assertTrue(opener.forget(TP));
        assertFalse(opener.hasPending());
        assertFalse(opener.forget(TP), "forgotten once");
    }

    @Test
    void aDirectoryOfARecreatedTopicIsRetiredAndTheNewOneIsArchivedFromItsFirstOffset() throws Exception {
        ArchivePartition old = live();
        seal(service, durability, old, 0, 10);
        service.runPass();
        identities.recreate(TP.topic(), 0);

        opener().open(List.of(TP), opened::add);

        PartitionArchive archive = opened.get(0);
        assertEquals(live(), archive.archivePartition(), "the new incarnation");
        assertEquals(-1, archive.archivedEnd(), "nothing of it is archived");
        assertEquals(Admission.REWIND, archive.admit(10, false), "the old topic's committed offset is not used");
        assertEquals(0, archive.rewindTo());
        assertFalse(Files.exists(dir()), "the old incarnation's folder moved out of the way");
        try (Stream<Path> entries = Files.list(service.localTier().dir())) {
            List<Path> retired = entries.filter(LocalTier::isRetired).toList();
            assertEquals(1, retired.size(), "retired, not deleted: " + retired);
            assertEquals(1, SegmentFiles.list(retired.get(0)).size(), "its segment is kept for the tier");
        }
    }

    @Test
    void aDirectoryThatIsNoValidArchiveIsRefusedNamingIt() throws Exception {
        seal(service, durability, live(), 0, 10);
        seal(service, durability, live(), 5, 15); // two writers of the same records

        ConnectException e = assertThrows(ConnectException.class, () -> opener().open(List.of(TP), opened::add));
        assertTrue(e.getMessage().contains("Cannot open the archive of " + TP + " in " + dir()), e.getMessage());
        assertTrue(opened.isEmpty());
    }
}
