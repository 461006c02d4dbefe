package io.tieredarchive.sink;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.HttpRequestRelay;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.LocalTier;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.TieringServices;
import io.tieredarchive.tier.TieringSettings;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.storage.S3StorageBackend;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opening many partitions at once on a real S3 server (S3Proxy), every request counted on the wire: a task that
 * opens the partitions a worker archived before asks the store once per incarnation (a listing), not once or
 * twice per partition, and what it counts as archived is still what the store holds now.
 */
class PartitionOpenerOnS3Test {

    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 50;

    @TempDir
    Path tmp;

    private S3ProxyServer s3;
    private HttpRequestRelay relay;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final TestIdentities identities = new TestIdentities();

    @BeforeEach
    void setUp() {
        s3 = S3ProxyServer.startIn(tmp);
        relay = new HttpRequestRelay(s3.port());
    }

    @AfterEach
    void tearDown() throws Exception {
        List<AutoCloseable> all = new ArrayList<>(closing);
        all.add(relay);
        all.add(s3);
        Closing.closeAll(all.toArray(AutoCloseable[]::new));
    }

    private RemoteSegmentStore store() {
        return new RemoteSegmentStore(S3StorageBackend.create(S3TestConnections.withEndpoint(
                S3TestConnections.create(s3, "open"), relay.endpoint())), "archive", System::currentTimeMillis);
    }

    /** A worker's tiering of {@code localDir} (4 partitions uploaded at once), not started: the test runs passes. */
    private TieringService service(String localDir) {
        TieringService service = new TieringService(new TieringSettings(tmp.resolve(localDir), 0, -1, -1,
                TieringSettings.DEFAULT_SCAN_INTERVAL_MS, 4, TieringSettings.DEFAULT_MIN_BACKOFF_MS,
                TieringSettings.DEFAULT_MAX_BACKOFF_MS), System::currentTimeMillis);
        closing.add(service);
        return service;
    }

    private TieredDurability durability(TieringService service) {
        TieredDurability durability = new TieredDurability(TieringServices.attach(service, "sink", store()), true,
                () -> { });
        closing.add(0, durability);
        return durability;
    }

    private ArchivePartition archive(int partition) {
        return new ArchivePartition(TOPIC, identities.of(TOPIC), partition);
    }

    private static List<TopicPartition> partitions() {
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            all.add(new TopicPartition(TOPIC, p));
        }
        return all;
    }

    /** Opens every partition with a new task on {@code service}; returns each one's archive end. */
    private Map<Integer, Long> open(TieringService service) {
        TieredDurability durability = durability(service);
        PartitionOpener opener = new PartitionOpener(service.localTier().dir(), durability, identities,
                new SegmentWriterOptions("none", null, 4096, "writer-2"), 1 << 20, 60_000,
                (p, files, meta, bytes) -> durability.sealed(p.archivePartition(), files, meta),
                System::currentTimeMillis, dir -> { });
        Map<Integer, Long> ends = new HashMap<>();
        opener.open(partitions(), p -> ends.put(p.topicPartition().partition(), p.archivedEnd()));
        assertFalse(opener.hasPending());
        return ends;
    }

    /** Two sealed segments per partition, offsets 0..9 and 10..19, uploaded and marked tiered, kept locally. */
    private TieringService archivedBefore() throws Exception {
        TieringService service = service("local");
        TieredDurability durability = durability(service);
        for (int p = 0; p < PARTITIONS; p++) {
            FileSystemTiers.seal(service, durability, archive(p), 0, 10);
            FileSystemTiers.seal(service, durability, archive(p), 10, 20);
        }
        service.runPass();
        assertEquals(0, service.stats().pendingSegments(), "everything is in S3");
        return service;
    }

    @Test
    void openingFiftyArchivedPartitionsCostsOneListingNotRequestsPerPartition() throws Exception {
        TieringService service = archivedBefore();

        relay.clearRequests();
        Map<Integer, Long> ends = open(service);

        assertEquals(PARTITIONS, ends.size());
        ends.forEach((p, end) -> assertEquals(20L, end, "partition " + p));
        List<String> requests = relay.requests().stream().map(r -> r.target().contains("list-type=2") ? "LIST"
                : r.method() + " " + r.path()).toList();
        // 50 partitions x 2 segments x 4 objects + 50 manifests: the folders listed by '/' (one page), then one
        // prefix (50 folders, fewer than ArchiveEnds' 200 a prefix): one page of 1,000 keys. AWS pays 2 LISTs.
        assertTrue(requests.size() <= 3, "opening " + PARTITIONS + " partitions sent " + requests.size()
                + " requests: " + requests);
    }

    @Test
    void whatTheListingCountsIsWhatTheStoreHoldsNow() throws Exception {
        TieringService service = archivedBefore();
        // Partition 3 lost its newest segment in the store; partition 4 got a third one from another worker.
        ArchivePartition lost = archive(3);
        SegmentFiles lostFiles = SegmentFiles.of(service.localTier().partitionDir(TOPIC, 3), 10);
        SegmentMetadata lostMeta = SegmentMetadata.read(lostFiles.marker());
        try (RemoteSegmentStore store = store()) {
            store.backend().delete(store.layout().keys(lostMeta).marker());
        }
        TieringService other = service("other");
        FileSystemTiers.seal(other, durability(other), archive(4), 20, 30);
        other.runPass();

        Map<Integer, Long> ends = open(service);

        assertEquals(20L, ends.get(3), "partition 3's local segment 10..19 counts, as every sealed one does");
        assertFalse(LocalTier.isTiered(lostFiles), "the store holds offsets 0..9 only now: 10..19 is pending again");
        assertEquals(10L, service.remoteDurableEnd(lost), "commit.mode=remote commits no offset from 10 on");
        assertEquals(30L, ends.get(4), "archived by another worker: not written again");
        assertEquals(20L, ends.get(5));
        service.runPass();
        try (RemoteSegmentStore store = store()) {
            assertEquals(20L, store.view(lost).endOffset(), "uploaded again");
        }
    }
}
