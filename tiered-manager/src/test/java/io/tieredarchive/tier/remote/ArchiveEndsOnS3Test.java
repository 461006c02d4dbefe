package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.HttpRequestRelay;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.TestArchive;
import io.tieredarchive.tier.storage.S3StorageBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.tieredarchive.tier.TestArchive.T0;
import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opening many partitions on a real S3 server (S3Proxy), every request seen on the wire: the incarnation's folder is
 * listed by partition-number prefixes, none of which walks the whole folder, and what they find is exactly what one
 * listing of the whole folder finds.
 */
class ArchiveEndsOnS3Test {

    /** Partitions 0..24 opened; 7 was never archived; 30 is archived but opened by another task. */
    private static final int OPENED = 25;
    private static final int MISSING = 7;
    private static final int OTHER_TASKS = 30;

    @TempDir
    Path tmp;

    private S3ProxyServer s3;
    private HttpRequestRelay relay;
    private RemoteSegmentStore store;
    private final Map<Integer, List<SegmentMetadata>> stored = new HashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        s3 = S3ProxyServer.startIn(tmp);
        relay = new HttpRequestRelay(s3.port());
        store = new RemoteSegmentStore(S3StorageBackend.create(S3TestConnections.withEndpoint(
                S3TestConnections.create(s3, "ends"), relay.endpoint())), "arch", () -> T0);
        for (int p = 0; p < OPENED; p++) {
            if (p != MISSING) {
                archive(p, 1 + p % 3); // 1 to 3 segments: 5 to 13 keys, so pages end inside partitions
            }
        }
        archive(OTHER_TASKS, 2);
        relay.clearRequests();
    }

    @AfterEach
    void tearDown() throws Exception {
        Closing.closeAll(store, relay, s3);
    }

    private void archive(int p, int segments) throws Exception {
        stored.put(p, TestArchive.archived(store, tmp.resolve("local"), TOPIC, p, segments));
    }

    /** Every opened partition; the first segment of the even ones is still on the local disk. */
    private Map<ArchivePartition, List<SegmentMetadata>> opened() {
        Map<ArchivePartition, List<SegmentMetadata>> local = new LinkedHashMap<>();
        for (int p = 0; p < OPENED; p++) {
            List<SegmentMetadata> mine = stored.getOrDefault(p, List.of());
            local.put(TestArchive.partition(TOPIC, p), p % 2 == 0 && !mine.isEmpty() ? mine.subList(0, 1) : List.of());
        }
        return local;
    }

    /** The {@code prefix} of each object LIST (not the listing of folders by {@code /}) sent since the last clear. */
    private List<String> listedPrefixes() {
        List<String> prefixes = new ArrayList<>();
        for (HttpRequestRelay.Request r : relay.requests()) {
            Map<String, String> query = query(r.target());
            if (query.containsKey("list-type") && !query.containsKey("delimiter")) {
                prefixes.add(query.getOrDefault("prefix", ""));
            }
        }
        return prefixes;
    }

    private static Map<String, String> query(String target) {
        Map<String, String> query = new HashMap<>();
        int q = target.indexOf('?');
        if (q >= 0) {
            for (String pair : target.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                query.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    @Test
    void listingsByPrefixFindExactlyWhatOneListingOfTheWholeFolderFinds() throws Exception {
        Map<ArchivePartition, ArchiveEnds.End> whole = new ArchiveEnds(store, 1000, Integer.MAX_VALUE).of(opened());
        String folder = store.layout().incarnationPrefix(TOPIC, TestArchive.INCARNATION);
        assertEquals(List.of(folder), listedPrefixes(), "the reference is one listing of the whole folder");
        relay.clearRequests();

        // Pages of 4 keys (a partition's keys straddle pages), prefixes of at most 3 partition folders.
        Map<ArchivePartition, ArchiveEnds.End> byPrefix = new ArchiveEnds(store, 4, 3).of(opened());

        assertEquals(whole, byPrefix);
        for (int p = 0; p < OPENED; p++) {
            ArchiveEnds.End end = byPrefix.get(TestArchive.partition(TOPIC, p));
            List<SegmentMetadata> mine = stored.getOrDefault(p, List.of());
            assertEquals(mine.isEmpty() ? -1 : mine.get(mine.size() - 1).nextOffset(), end.endOffset(), "partition "
                    + p);
            assertEquals(mine.size(), end.markers().size(), "partition " + p);
        }
        assertTrue(listedPrefixes().size() > 1, listedPrefixes().toString());
        assertTrue(listedPrefixes().stream().noneMatch(folder::equals), "no listing of the whole folder: "
                + listedPrefixes());
    }

    @Test
    void aFolderOfManyPartitionsIsListedByPrefixesNoneOfWhichWalksItWhole() throws Exception {
        String folder = store.layout().incarnationPrefix(TOPIC, TestArchive.INCARNATION);

        // Prefixes of at most 8 partition folders: 26 partitions are split into 0, 1/, 10..19, 2..9.
        Map<ArchivePartition, ArchiveEnds.End> ends = new ArchiveEnds(store, 1000, 8).of(opened());

        assertEquals(OPENED, ends.size());
        List<String> prefixes = listedPrefixes();
        assertTrue(prefixes.stream().noneMatch(folder::equals), "no listing walks the whole folder: " + prefixes);
        assertTrue(prefixes.stream().allMatch(p -> p.startsWith(folder)), prefixes.toString());
        List<String> relative = prefixes.stream().map(p -> p.substring(folder.length())).sorted().toList();
        assertEquals(List.of("0", "1/", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "2", "3", "4",
                "5", "6", "7", "8", "9"), relative);
        // AWS S3: one listing of folders, one page per prefix, and the manifests of partitions without local copies.
        long lists = relay.requests().stream().filter(r -> r.target().contains("list-type=2")).count();
        assertEquals(1 + relative.size(), lists, relay.requests().toString());
    }
}
