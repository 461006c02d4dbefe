package io.tieredarchive.sink;

import io.tieredarchive.testing.Closing;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.Incarnation;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tieredarchive.sink.FileSystemTiers.seal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the sink may commit on the S3 tier, on real tiering services and a file-system bucket: with
 * {@code commit.mode=remote} only what the store holds, with {@code local} what is sealed; where a reopened
 * partition's archive ends; and whether the store holds another incarnation of a topic.
 */
class TieredDurabilityTest {

    private static final Incarnation LIVE = Incarnation.of("cluster-a", "topic-id-1");
    private static final ArchivePartition P = new ArchivePartition("orders", LIVE, 0);

    @TempDir
    Path tmp;

    private FileSystemTiers tiers;
    private final List<TieredDurability> durabilities = new ArrayList<>();
    private final AtomicInteger tieredCalls = new AtomicInteger();

    @AfterEach
    void tearDown() throws Exception {
        List<AutoCloseable> all = new ArrayList<>(durabilities);
        all.add(tiers);
        Closing.closeAll(all.toArray(AutoCloseable[]::new));
    }

    /** A worker's tiering of {@code localDir} into the test's bucket, not started: the test runs its passes. */
    private TieringService service(String localDir) {
        if (tiers == null) {
            tiers = new FileSystemTiers(tmp.resolve("bucket"), System::currentTimeMillis);
        }
        return tiers.service(tmp.resolve(localDir));
    }

    private TieredDurability durability(TieringService service, boolean remoteCommit) {
        TieredDurability durability = tiers.durability(service, remoteCommit, tieredCalls::incrementAndGet);
        durabilities.add(durability);
        return durability;
    }

    @Test
    void withRemoteCommitOnlyWhatTheStoreHoldsIsDurable() throws Exception {
        TieringService service = service("local");
        TieredDurability durability = durability(service, true);
        assertEquals(-1, durability.archivedEnd(P, -1), "an empty bucket");

        seal(service, durability, P, 0, 10);
        assertEquals(0, durability.durableEnd(P), "sealed locally, not in S3 yet: nothing below offset 0 to commit");
        assertEquals(0, tieredCalls.get());

        service.runPass();
        assertEquals(10, durability.durableEnd(P), "uploaded and verified");
        assertEquals(1, tieredCalls.get(), "the task was told, so that it asks for a commit");
        assertEquals(10, service.store().view(P).endOffset(), "the store holds it");
    }

    @Test
    void withLocalCommitWhatIsSealedIsDurableAndStillReachesTheStore() throws Exception {
        TieringService service = service("local");
        TieredDurability durability = durability(service, false);
        assertEquals(-1, durability.archivedEnd(P, -1));
        assertEquals(-1, durability.durableEnd(P));

        seal(service, durability, P, 0, 10);
        assertEquals(10, durability.durableEnd(P), "sealed and fsynced: committable");

        service.runPass();
        assertEquals(10, service.store().view(P).endOffset(), "uploaded all the same");
        assertEquals(10, durability.durableEnd(P));
    }

    @Test
    void aReopenedPartitionStartsAtTheLaterOfItsLocalSegmentsAndTheStore() throws Exception {
        TieringService elsewhere = service("worker-a");
        TieredDurability before = durability(elsewhere, true);
        before.archivedEnd(P, -1);
        seal(elsewhere, before, P, 0, 20);
        elsewhere.runPass();

        TieringService here = service("worker-b");
        TieredDurability durability = durability(here, false);
        assertEquals(20, durability.archivedEnd(P, -1), "archived by another worker: not written again");
        assertEquals(20, durability.durableEnd(P), "and committable");
        assertEquals(30, durability.archivedEnd(P, 30), "local sealed segments past the store count too");
    }

    @Test
    void aTopicRecreatedUnderItsNameIsAnotherIncarnation() throws Exception {
        TieringService service = service("local");
        TieredDurability durability = durability(service, true);
        assertFalse(durability.hasOtherIncarnation(P), "an empty bucket");
        durability.archivedEnd(P, -1);
        seal(service, durability, P, 0, 5);
        service.runPass();

        assertFalse(durability.hasOtherIncarnation(P), "only its own incarnation");
        ArchivePartition recreated = new ArchivePartition("orders", Incarnation.of("cluster-a", "topic-id-2"), 0);
        assertTrue(durability.hasOtherIncarnation(recreated), "the store holds the old topic's archive");
        assertEquals(-1, durability.archivedEnd(recreated, -1), "the new incarnation's archive is empty");
    }

    @Test
    void aPartitionClosedBeforeItsUploadIsNotAnnouncedButStillUploaded() throws Exception {
        TieringService service = service("local");
        TieredDurability durability = durability(service, false);
        durability.archivedEnd(P, -1);
        seal(service, durability, P, 0, 10);
        durability.closed(P);
        assertEquals(-1, durability.durableEnd(P), "forgotten on close");

        service.runPass();
        assertEquals(0, tieredCalls.get(), "no commit asked for a partition this task no longer has");
        assertEquals(10, service.store().view(P).endOffset(), "the segment committed locally still reaches S3");
    }

    @Test
    void theDestinationIsTheTasksOwnStore() {
        TieringService service = service("local");
        TieredDurability durability = durability(service, true);
        assertEquals(tiers.store().destination(), durability.destination());
        assertTrue(durability.canUpload(durability.destination()));
        assertFalse(durability.canUpload("s3://another-bucket/archive"));
    }
}
