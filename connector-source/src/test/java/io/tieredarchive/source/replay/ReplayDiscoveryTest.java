package io.tieredarchive.source.replay;

import io.tieredarchive.tier.remote.ArchiveCatalog;

import io.tieredarchive.tier.remote.RemoteLayout;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.IncarnationSelection;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayDiscoveryTest {

    @TempDir
    Path bucket;
    private FileSystemStorageBackend backend;
    private ArchiveCatalog catalog;

    @BeforeEach
    void setUp() throws Exception {
        backend = new FileSystemStorageBackend(bucket);
        for (String key : List.of("a/orders/0/m.json", "a/orders/1/m.json", "a/orders/3/m.json",
                "a/orders-eu/0/m.json", "a/audit/0/m.json")) {
            backend.putIfMatch(key, new byte[] {1}, null);
        }
        catalog = new ArchiveCatalog(backend, new RemoteLayout("a"));
    }

    @AfterEach
    void tearDown() {
        backend.close();
    }

    private ReplayDiscovery discovery(List<String> topics, String regex, boolean follow, boolean tolerate) {
        return new ReplayDiscovery(catalog, "s3://b/a/", topics, Optional.ofNullable(regex).map(Pattern::compile),
                IncarnationSelection.LATEST_ONE, follow, tolerate);
    }

    @Test
    void listedTopicsWithTheirPartitionCounts() throws Exception {
        ReplayDiscovery.Result r = discovery(List.of("orders", "audit"), null, false, false).discover();
        assertEquals(List.of(ArchivePartition.legacy("orders", 0), ArchivePartition.legacy("orders", 1),
                ArchivePartition.legacy("orders", 3), ArchivePartition.legacy("audit", 0)), r.partitions());
        assertEquals(Map.of("orders", 4, "audit", 1), r.partitionCounts(), "the highest partition + 1");
    }

    @Test
    void theRegexMatchesWholeNames() throws Exception {
        assertEquals(Map.of("orders", 4), discovery(List.of(), "orders", false, false).discover().partitionCounts());
        assertEquals(Map.of("orders", 4, "orders-eu", 1),
                discovery(List.of(), "orders.*", false, false).discover().partitionCounts());
        ConnectException none = assertThrows(ConnectException.class,
                () -> discovery(List.of(), "payments.*", false, false).discover());
        assertTrue(none.getMessage().contains("No archived topic in s3://b/a/ matches replay.topics.regex "
                + "'payments.*'"), none.getMessage());
        assertEquals(List.of(), discovery(List.of(), "payments.*", true, false).discover().partitions(),
                "following: awaited");
    }

    @Test
    void aMissingTopicFailsIsLeftOutOrAwaited() throws Exception {
        ConnectException e = assertThrows(ConnectException.class,
                () -> discovery(List.of("orders", "ghost"), null, false, false).discover());
        assertTrue(e.getMessage().contains("Topic 'ghost' is not in the archive: there is no partition folder "
                + "under s3://b/a/ghost/"), e.getMessage());
        assertEquals(Map.of("orders", 4),
                discovery(List.of("orders", "ghost"), null, false, true).discover().partitionCounts());
        ReplayDiscovery following = discovery(List.of("ghost"), null, true, false);
        assertEquals(List.of(), following.discover().partitions());
        backend.putIfMatch("a/ghost/0/m.json", new byte[] {1}, null);
        assertEquals(List.of(ArchivePartition.legacy("ghost", 0)), following.discover().partitions(),
                "found once archived");
    }
}
