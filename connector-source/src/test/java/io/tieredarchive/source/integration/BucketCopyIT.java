package io.tieredarchive.source.integration;

import io.tieredarchive.source.integration.CopyTestSupport.Event;
import io.tieredarchive.source.integration.CopyTestSupport.Seeded;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.S3ProxyServer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.tieredarchive.source.integration.CopyTestSupport.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Copies 2,000 small and 5 multipart-sized objects byte for byte: server-side inside one S3Proxy (then again with
 * copy.skip.existing), and by stream between two S3Proxies with different credentials (chosen by copy.mode=auto,
 * split over two tasks); and copies objects far larger than the stream memory bound without passing it.
 */
class BucketCopyIT {

    private static final int SMALL = 2000;
    private static final String SOURCE_BUCKET = "source";

    @TempDir
    static Path tmp;
    private static S3ProxyServer sourceStore;
    private static S3ProxyServer otherStore;
    private static S3AsyncClient sourceClient;
    private static S3AsyncClient otherClient;
    private static EmbeddedConnectCluster connect;
    private static List<Seeded> seeded;

    @BeforeAll
    static void setUp() throws Exception {
        sourceStore = S3ProxyServer.startIn(tmp);
        otherStore = CopyTestSupport.startOtherStore(tmp);
        sourceClient = CopyTestSupport.client(sourceStore, SOURCE_BUCKET, "dest-a");
        otherClient = CopyTestSupport.client(otherStore, "dest-b", "dest-c");
        Map<String, Long> sizes = CopyTestSupport.smallObjects("data", SMALL);
        // Above the 5 MiB multipart threshold, and no multiple of the 5 MiB part size.
        long[] large = {11 * MIB + 1, 12 * MIB + 4097, 13 * MIB + 333, 15 * MIB - 1, 17 * MIB + 12345};
        for (int i = 0; i < large.length; i++) {
            sizes.put("data/large/object-" + i + ".bin", large[i]);
        }
        seeded = CopyTestSupport.seed(sourceClient, SOURCE_BUCKET, sizes);
        Map<String, Long> notCopied = new LinkedHashMap<>();
        notCopied.put("data/skip/temporary.tmp", 10L);
        notCopied.put("data2/outside-the-prefix.bin", 10L);
        notCopied.put("other/outside.bin", 10L);
        notCopied.put("big/huge-0.bin", 40 * MIB + 3);
        notCopied.put("big/huge-1.bin", 40 * MIB + 5);
        notCopied.put("big/huge-2.bin", 40 * MIB + 7);
        CopyTestSupport.seed(sourceClient, SOURCE_BUCKET, notCopied);
        connect = CopyTestSupport.connect("bucket-copy-it").start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        Closing.closeAll(Closing.stopping(connect), sourceClient, otherClient, sourceStore, otherStore);
    }

    @Test
    void copiesServerSideWithinOneStore() throws Exception {
        Map<String, String> config = multipartConfig("events-server-side", sourceStore, "dest-a");
        config.put("copy.mode", "server-side");
        connect.configureConnector("copy-server-side", config);
        List<Event> events = CopyTestSupport.awaitEvents(connect, "events-server-side", seeded.size(), 90_000);

        assertAllCopied(events, "server-side");
        CopyTestSupport.assertCopied(sourceClient, "dest-a", "data", "copied", seeded);
        assertEquals(seeded.size(), CopyTestSupport.metric("copy-server-side", "objects-copied-total"), 0.0);
        assertEquals(0.0, CopyTestSupport.metric("copy-server-side", "stream-buffer-leased-bytes-total"),
                "a server-side copy moves no bytes through the task");
        double requests = CopyTestSupport.metric("copy-server-side", "requests-per-object-avg");
        assertTrue(requests >= 1.0 && requests < 1.1, "CopyObject alone per small object, its response the proof: "
                + requests);
        connect.deleteConnector("copy-server-side");

        // Again with copy.skip.existing over part of it: identical objects are skipped, changed ones copied.
        sourceClient.putObject(b -> b.bucket("dest-a").key("copied/small/00010.bin"),
                AsyncRequestBody.fromString("changed")).join();
        sourceClient.deleteObject(b -> b.bucket("dest-a").key("copied/small/00020.bin")).join();
        config.put("copy.events.topic", "events-skip");
        config.put("copy.skip.existing", "true");
        config.put("copy.include.regex", "small/00[0-4].*");
        connect.configureConnector("copy-skip", config);
        int selected = (int) seeded.stream().filter(o -> o.key().matches("data/small/00[0-4].*")).count();
        Map<String, Event> again = CopyTestSupport.byKey(CopyTestSupport.awaitEvents(connect, "events-skip",
                selected, 60_000));
        assertEquals(selected, again.size());
        assertEquals("copied", again.remove("data/small/00010.bin").status());
        assertEquals("copied", again.remove("data/small/00020.bin").status());
        again.values().forEach(e -> assertEquals("skipped", e.status(), e.toString()));
        CopyTestSupport.assertCopied(sourceClient, "dest-a", "data", "copied", seeded);
        connect.deleteConnector("copy-skip");
    }

    @Test
    void streamsAcrossStoresInAutoMode() throws Exception {
        Map<String, String> config = multipartConfig("events-auto", otherStore, "dest-b");
        config.put("tasks.max", "2");
        connect.configureConnector("copy-auto", config);
        List<Event> events = CopyTestSupport.awaitEvents(connect, "events-auto", seeded.size(), 90_000);

        assertAllCopied(events, "stream");
        CopyTestSupport.assertCopied(otherClient, "dest-b", "data", "copied", seeded);
        long bytes = seeded.stream().mapToLong(Seeded::size).sum();
        assertEquals(bytes, CopyTestSupport.metric("copy-auto", "stream-buffer-leased-bytes-total"), 0.0,
                "every byte went through the bounded buffers");
        connect.deleteConnector("copy-auto");
    }

    @Test
    void streamStaysInsideItsMemoryBound() throws Exception {
        Map<String, String> config = CopyTestSupport.connectorConfig("events-bound", sourceStore, SOURCE_BUCKET,
                "big", otherStore, "dest-c", "big");
        config.put("copy.mode", "stream");
        config.put("copy.concurrency", "4");
        config.put("copy.part.size.bytes", Long.toString(5 * MIB));
        connect.configureConnector("copy-bound", config);
        List<Event> events = CopyTestSupport.awaitEvents(connect, "events-bound", 3, 60_000);

        assertEquals(3, events.size());
        events.forEach(e -> assertEquals("copied", e.status(), e.toString()));
        double limit = CopyTestSupport.metric("copy-bound", "stream-buffer-limit-bytes");
        double peak = CopyTestSupport.metric("copy-bound", "stream-buffer-peak-bytes");
        double leased = CopyTestSupport.metric("copy-bound", "stream-buffer-leased-bytes-total");
        double allocated = CopyTestSupport.metric("copy-bound", "stream-buffer-allocated-bytes");
        assertEquals(20 * MIB, limit, 0.0);
        // A part costs its 6 MiB array (G1 regions of 1 MiB under failsafe's -Xmx2g) and 2.5 MiB for the SDK's
        // request: two fit beside the task's own 1 MiB, three do not.
        assertTrue(peak <= limit && peak > 10 * MIB, "peak " + peak + " within the bound, parts in parallel");
        assertTrue(allocated <= limit, "allocated " + allocated);
        assertEquals(120 * MIB + 15, leased, 0.0, "every byte of the 120 MiB went through the buffers");
        connect.deleteConnector("copy-bound");
    }

    private static Map<String, String> multipartConfig(String topic, S3ProxyServer destination, String bucket) {
        Map<String, String> config = CopyTestSupport.connectorConfig(topic, sourceStore, SOURCE_BUCKET, "data",
                destination, bucket, "copied");
        config.put("copy.multipart.threshold.bytes", Long.toString(5 * MIB));
        config.put("copy.part.size.bytes", Long.toString(5 * MIB));
        config.put("copy.exclude.regex", ".*\\.tmp");
        return config;
    }

    /** One "copied" event per seeded object, in the given mode, large objects in parts; nothing else. */
    private static void assertAllCopied(List<Event> events, String mode) {
        Map<String, Event> byKey = CopyTestSupport.byKey(events);
        List<String> missing = new ArrayList<>();
        for (Seeded o : seeded) {
            Event e = byKey.remove(o.key());
            if (e == null) {
                missing.add(o.key());
                continue;
            }
            assertEquals("copied", e.status(), e.toString());
            assertEquals(mode, e.mode(), e.toString());
            assertEquals(o.size(), e.value().get("size").asLong(), e.toString());
            assertTrue(e.value().get("fallback").isNull(), e.toString());
            int parts = e.value().get("parts").asInt();
            assertEquals(o.size() > 5 * MIB ? (int) ((o.size() + 5 * MIB - 1) / (5 * MIB)) : 0, parts, e.toString());
            assertNull(e.value().get("error").textValue(), e.toString());
        }
        assertTrue(missing.isEmpty(), "no event for " + missing);
        assertTrue(byKey.isEmpty(), "events for objects not to copy: " + byKey.keySet());
    }
}
