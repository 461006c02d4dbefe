package io.tieredarchive.tier;

import io.tieredarchive.config.LocalTierConfig;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.tieredarchive.tier.TestArchive.T0;
import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tiering policy on a fake clock and a local-directory store: delay, verification, retention, retries. */
class TieringServiceTest {

    private static final ArchivePartition TP = TestArchive.partition(TOPIC, 0);

    @TempDir
    Path tempDir;
    private Path localDir;
    private final AtomicLong clock = new AtomicLong(T0);
    private RecordingBackend backend;
    private RemoteSegmentStore store;
    private TieringService service;

    @BeforeEach
    void setUp() {
        localDir = tempDir.resolve("local");
        backend = new RecordingBackend(new FileSystemStorageBackend(tempDir.resolve("bucket")));
        store = new RemoteSegmentStore(backend, "archive", clock::get);
    }

    @AfterEach
    void tearDown() {
        if (service != null) {
            service.close();
        }
    }

    private void startService(long delayMs, long retentionMs, long retentionBytes) {
        TieringSettings settings = new TieringSettings(localDir, delayMs, retentionMs, retentionBytes, 1_000, 2,
                1_000, 8_000);
        service = new TieringService(settings, store, clock::get);
    }

    private SegmentFiles seal(String topic, int partition, long base, int count, long sealedAt) throws Exception {
        return TestArchive.seal(localDir, topic, partition, base, count, "w1", sealedAt);
    }

    private List<Long> remoteBases() throws Exception {
        return store.view(TestArchive.partition(TOPIC, 0)).segments().stream().map(SegmentMetadata::baseOffset).toList();
    }

    @Test
    void uploadsASealedSegmentOnlyAfterTheUploadDelay() throws Exception {
        startService(1_000, -1, -1);
        SegmentFiles s = seal(TOPIC, 0, 0, 100, T0);
        clock.set(T0 + 999);
        service.runPass();
        assertTrue(backend.calls("upload").isEmpty());
        assertEquals(0, service.remoteDurableEnd(TP), "pending from offset 0");

        clock.set(T0 + 1_000);
        service.runPass();
        assertEquals(List.of(0L), remoteBases());
        assertTrue(store.isVerified(s, TestArchive.meta(s)));
        assertTrue(Files.exists(LocalTier.tieredFile(s)));
        assertEquals(100, service.remoteDurableEnd(TP));
        assertTrue(Files.exists(s.log()), "no retention configured: the local copy stays");
        assertEquals(1, service.stats().uploadedSegments());
    }

    @Test
    void archiveNowIgnoresTheUploadDelay() throws Exception {
        startService(60_000, -1, -1);
        seal(TOPIC, 0, 0, 100, T0);
        service.runPass();
        assertTrue(remoteBases().isEmpty());
        service.archiveNow();
        assertEquals(List.of(0L), remoteBases());
    }

    @Test
    void deletesLocalCopiesByAgeOnlyOnceTiered() throws Exception {
        startService(0, 5_000, -1);
        SegmentFiles old = seal(TOPIC, 0, 0, 100, T0);
        SegmentFiles young = seal(TOPIC, 0, 100, 100, T0 + 3_000);
        clock.set(T0 + 4_999);
        service.runPass();
        assertTrue(Files.exists(old.log()) && Files.exists(young.log()));

        clock.set(T0 + 5_000);
        service.runPass();
        assertFalse(Files.exists(old.log()) || Files.exists(old.marker()) || Files.exists(LocalTier.tieredFile(old)),
                "every file of the aged copy is gone");
        assertTrue(Files.exists(young.log()));
        clock.set(T0 + 8_000);
        service.runPass();
        assertFalse(Files.exists(young.log()));
        assertEquals(List.of(0L, 100L), remoteBases(), "both still in the store");
        assertEquals(200, service.remoteDurableEnd(TP), "the tiered end survives the local deletion");
    }

    @Test
    void deletesOldestTieredCopiesFirstWhenOverTheSizeCap() throws Exception {
        List<SegmentFiles> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            files.add(seal(TOPIC, i % 2, i * 100L, 100, T0 + i));
        }
        long each = new LocalSegment(files.get(0), TestArchive.meta(files.get(0)), true).bytes();
        startService(0, -1, 2 * each + each / 2);
        clock.set(T0 + 10);
        service.runPass();
        for (int i = 0; i < 5; i++) {
            assertEquals(i >= 3, Files.exists(files.get(i).log()), "segment " + i + " sealed at T0+" + i);
        }
        assertEquals(3, service.stats().deletedSegments());
    }

    @Test
    void neverDeletesWhatIsNotVerifiedAndRetriesWithBackoff() throws Exception {
        startService(0, 0, 0);
        SegmentFiles s = seal(TOPIC, 0, 0, 100, T0);
        backend.failWhen = c -> c.op().equals("upload") && c.key().endsWith(".json");  // marker upload fails
        clock.set(T0 + 100);
        service.runPass();
        assertTrue(Files.exists(s.log()), "over both retention limits, but not tiered");
        assertEquals(0, service.remoteDurableEnd(TP));
        assertEquals(1, service.stats().failedAttempts());
        assertTrue(store.view(TestArchive.partition(TOPIC, 0)).segments().isEmpty(), "no marker: invisible");

        backend.failWhen = c -> false;
        backend.reset();
        clock.set(T0 + 100 + 999);
        service.runPass();
        assertTrue(backend.calls("upload").isEmpty(), "still backing off");

        clock.set(T0 + 100 + 1_000);
        service.runPass();
        assertEquals(1, backend.calls("upload").size(), "only the marker is sent again: " + backend.calls("upload"));
        assertFalse(Files.exists(s.log()), "tiered, then deleted by retention");
        assertEquals(100, service.remoteDurableEnd(TP));
    }

    @Test
    void uploadsEverySealedSegmentUnderTheDirectoryWhateverItsPartition() throws Exception {
        startService(0, -1, -1);
        seal(TOPIC, 0, 0, 10, T0);
        seal(TOPIC, 7, 40, 10, T0);
        seal("payments", 2, 5, 10, T0);
        service.runPass();
        assertEquals(50, store.view(TestArchive.partition(TOPIC, 7)).endOffset());
        assertEquals(15, store.view(TestArchive.partition("payments", 2)).endOffset());
        assertEquals(10, store.view(TestArchive.partition(TOPIC, 0)).endOffset());
    }

    @Test
    void keepsOffsetOrderWithinAPartitionAndTellsListeners() throws Exception {
        startService(0, -1, -1);
        List<Long> heard = new ArrayList<>();
        service.addListener((tp, meta) -> heard.add(meta.baseOffset()));
        seal(TOPIC, 0, 0, 10, T0);
        seal(TOPIC, 0, 10, 10, T0);
        backend.failWhen = c -> c.op().equals("upload") && c.key().contains("00000000000000000010-");
        service.runPass();
        assertEquals(List.of(0L), heard);
        assertEquals(10, service.remoteDurableEnd(TP), "stops at the first segment not in the store");
        backend.failWhen = c -> false;
        clock.addAndGet(1_000);
        service.runPass();
        assertEquals(List.of(0L, 10L), heard);
        assertEquals(20, service.remoteDurableEnd(TP));
    }

    @Test
    void aSegmentSealedNowCountsAsPendingAtOnce() throws Exception {
        startService(0, -1, -1);
        seal(TOPIC, 0, 0, 10, T0);
        service.runPass();
        assertEquals(10, service.remoteDurableEnd(TP));
        SegmentFiles next = seal(TOPIC, 0, 10, 10, T0);
        service.segmentSealed(next, TestArchive.meta(next));
        assertEquals(10, service.remoteDurableEnd(TP), "not beyond the segment just sealed");
    }

    @Test
    void aSegmentMissingFromTheStoreIsUploadedAgainNotDeleted() throws Exception {
        startService(0, 1_000, -1);
        SegmentFiles s = seal(TOPIC, 0, 0, 100, T0);
        SegmentMetadata meta = TestArchive.meta(s);
        service.runPass();
        String log = store.layout().keys(meta).log();
        backend.delete(log); // someone deleted it behind our back
        clock.set(T0 + 1_000);
        service.runPass();
        assertTrue(Files.exists(s.log()), "not verified any more: kept");
        assertFalse(Files.exists(LocalTier.tieredFile(s)));
        backend.reset();
        service.runPass();
        assertEquals(List.of(log), backend.calls("upload").stream().map(RecordingBackend.Call::key).toList(),
                "the missing object is uploaded again");
        assertFalse(Files.exists(s.log()), "then, verified, the copy ages out");
    }

    @Test
    void segmentsSealedOnePerPassAreRegisteredSeveralAtATimeAndAreDurableBefore() throws Exception {
        startService(0, -1, -1);
        seal(TOPIC, 0, 0, 100, T0);
        service.runPass();
        assertEquals(1, manifestSize(), "the first registration of a partition is at once");
        for (int i = 1; i <= 3; i++) {
            seal(TOPIC, 0, i * 100L, 100, T0);
            service.runPass();
        }
        assertEquals(1, manifestSize(), "three wait for a fourth");
        assertEquals(List.of(0L, 100L, 200L, 300L), remoteBases(), "visible by their markers meanwhile");
        assertEquals(400, service.remoteDurableEnd(TP), "durable once their markers are proven");
        seal(TOPIC, 0, 400, 100, T0);
        service.runPass();
        assertEquals(5, manifestSize(), "four waiting: one update for them");

        seal(TOPIC, 0, 500, 100, T0);
        service.runPass();
        assertEquals(5, manifestSize());
        clock.addAndGet(LocalTierConfig.TIER_MANIFEST_MAX_DELAY_MS_DEFAULT);
        service.runPass();
        assertEquals(6, manifestSize(), "one segment waits at most tier.manifest.max.delay.ms");

        seal(TOPIC, 0, 600, 100, T0);
        service.runPass();
        service.close();
        assertEquals(7, manifestSize(), "closing registers whatever waits");
    }

    private int manifestSize() throws Exception {
        return store.readManifest(TP).orElseThrow().segments().size();
    }

    @Test
    void aCrashBetweenUploadAndRegistrationIsRepairedByTheNextPass() throws Exception {
        startService(0, -1, -1);
        SegmentFiles s = seal(TOPIC, 0, 0, 100, T0);
        store.upload(s, TestArchive.meta(s)); // uploaded, then the worker died: no manifest entry, no .tiered
        backend.reset();
        service.runPass();
        assertEquals(4, backend.calls("upload").size(), "a first attempt does not look first: the same objects "
                + "are sent again whole");
        assertTrue(store.readManifest(TestArchive.partition(TOPIC, 0)).orElseThrow().contains(TestArchive.meta(s)));
        assertTrue(Files.exists(LocalTier.tieredFile(s)));
    }

    @Test
    void finishesALocalDeletionInterruptedByACrash() throws Exception {
        startService(0, -1, -1);
        SegmentFiles s = seal(TOPIC, 0, 0, 100, T0);
        service.runPass();
        Files.delete(s.log()); // crashed right after deleting the .log
        service.runPass();
        assertFalse(Files.exists(s.marker()) || Files.exists(s.offsetIndex()) || Files.exists(LocalTier.tieredFile(s)));
        assertEquals(0, service.stats().localSegments());
    }

    @Test
    void archivedEndIncludesTheStore() throws Exception {
        startService(0, 0, -1);
        seal(TOPIC, 0, 0, 100, T0);
        service.runPass(); // uploaded and deleted locally
        service.close();
        startService(0, 0, -1); // a restart knows nothing locally
        assertEquals(-1, service.remoteDurableEnd(TP));
        assertEquals(100, service.archivedEnd(service.store().destination(), TP));
        assertEquals(100, service.remoteDurableEnd(TP));
    }
}
