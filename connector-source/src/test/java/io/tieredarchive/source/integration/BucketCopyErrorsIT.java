package io.tieredarchive.source.integration;

import io.tieredarchive.source.integration.CopyTestSupport.Event;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.ThrottledTcpRelay;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.test.TestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.tieredarchive.source.integration.CopyTestSupport.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user sees when the copy cannot be done: a rejected configuration names the key, a missing source bucket
 * or an unreachable destination fails the task with a message naming the bucket, and an object deleted while it
 * is copied gets a failed event (and no copy) while the rest goes on. Nothing is reported copied that was not.
 */
class BucketCopyErrorsIT {

    @TempDir
    static Path tmp;
    private static S3ProxyServer store;
    private static S3ProxyServer otherStore;
    private static S3AsyncClient client;
    private static EmbeddedConnectCluster connect;

    @BeforeAll
    static void setUp() throws Exception {
        store = S3ProxyServer.startIn(tmp);
        otherStore = CopyTestSupport.startOtherStore(tmp);
        client = CopyTestSupport.client(store, "source", "dest");
        S3AsyncClient otherClient = CopyTestSupport.client(otherStore, "locked");
        otherClient.close();
        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put("data/a-before.bin", 1000L);
        sizes.put("data/m-deleted-while-copied.bin", 30 * MIB + 1);
        sizes.put("data/z-after.bin", 2000L);
        sizes.put("fallback/a.bin", 10L);
        sizes.put("fallback/b.bin", 20_000L);
        sizes.put("fallback/large.bin", 11 * MIB + 5);
        CopyTestSupport.seed(client, "source", sizes);
        connect = CopyTestSupport.connect("bucket-copy-errors-it").start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        Closing.closeAll(Closing.stopping(connect), client, store, otherStore);
    }

    @Test
    void rejectsInvalidConfigurationNamingTheKey() {
        Map<String, String> config = CopyTestSupport.connectorConfig("events-invalid", store, "source", "data",
                otherStore, "dest", "copy");
        config.put("name", "copy-invalid");
        config.put("copy.mode", "server-side");
        config.put("copy.part.size.bytes", Long.toString(8 * MIB));
        config.put("copy.multipart.threshold.bytes", Long.toString(6 * MIB));
        config.put("copy.include.regex", "([unclosed");
        ConfigInfos infos = connect.validateConnectorConfig(
                "io.tieredarchive.source.BucketCopySourceConnector", config);
        Map<String, List<String>> errors = infos.configs().stream()
                .filter(c -> !c.configValue().errors().isEmpty())
                .collect(Collectors.toMap(c -> c.configValue().name(), c -> c.configValue().errors()));
        assertEquals(List.of("copy.include.regex"), List.copyOf(errors.keySet()),
                "the regex fails first; cross-field checks wait for valid keys: " + errors);

        config.remove("copy.include.regex");
        infos = connect.validateConnectorConfig("io.tieredarchive.source.BucketCopySourceConnector", config);
        Map<String, String> messages = infos.configs().stream().map(ConfigInfo::configValue)
                .filter(v -> !v.errors().isEmpty())
                .collect(Collectors.toMap(v -> v.name(), v -> String.join("; ", v.errors())));
        assertEquals(2, infos.errorCount(), messages.toString());
        assertTrue(messages.get("copy.multipart.threshold.bytes").contains("at least copy.part.size.bytes"),
                messages.toString());
        assertTrue(messages.get("copy.mode").contains("same endpoint"), messages.toString());
    }

    @Test
    void missingSourceBucketFailsTheTaskNamingIt() throws Exception {
        Map<String, String> config = CopyTestSupport.connectorConfig("events-no-source", store, "no-such-bucket",
                "data", store, "dest", "copy-1");
        String trace = failedTaskTrace("copy-no-source", config);
        assertTrue(trace.contains("Bucket 'no-such-bucket' does not exist") && trace.contains("source.s3.bucket"),
                trace);
        assertNoEvents("events-no-source");
    }

    @Test
    void destinationWithoutAccessFailsTheTaskNamingIt() throws Exception {
        // The other store holds the bucket, but the connector has only the first store's keys (inherited).
        Map<String, String> config = CopyTestSupport.connectorConfig("events-no-access", store, "source", "data",
                store, "locked", "copy");
        config.put("destination.s3.endpoint", otherStore.endpoint());
        String trace = failedTaskTrace("copy-no-access", config);
        assertTrue(trace.contains("Access denied") && trace.contains("s3://locked/")
                && trace.contains("destination.s3.access.key.id"), trace);
        assertTrue(!trace.contains(store.secretKey()), "the secret is never shown");
        assertNoEvents("events-no-access");

        Map<String, String> missing = CopyTestSupport.connectorConfig("events-no-dest", store, "source", "data",
                store, "no-such-destination", "copy");
        trace = failedTaskTrace("copy-no-dest", missing);
        assertTrue(trace.contains("Bucket 'no-such-destination' does not exist")
                && trace.contains("destination.s3.bucket"), trace);
        assertNoEvents("events-no-dest");
    }

    @Test
    void objectDeletedWhileCopiedGetsAFailedEventAndNoCopy() throws Exception {
        // Downloads through the relay run at 4 MiB/s: the 30 MiB object takes seconds to copy.
        try (ThrottledTcpRelay slowSource = new ThrottledTcpRelay(store.port(), 4 * MIB)) {
            Map<String, String> config = CopyTestSupport.connectorConfig("events-deleted", store, "source", "data",
                    store, "dest", "deleted-test");
            config.put("source.s3.endpoint", slowSource.endpoint());
            config.put("copy.mode", "stream");
            config.put("copy.concurrency", "1");
            config.put("copy.part.size.bytes", Long.toString(5 * MIB));
            connect.configureConnector("copy-deleted", config);
            TestUtils.waitForCondition(() -> slowSource.bytesToClient() > 6 * MIB, 60_000,
                    "the large object's first part was read");
            client.deleteObject(b -> b.bucket("source").key("data/m-deleted-while-copied.bin")).join();

            Map<String, Event> events = CopyTestSupport.byKey(
                    CopyTestSupport.awaitEvents(connect, "events-deleted", 3, 60_000));
            assertEquals("copied", events.get("data/a-before.bin").status());
            assertEquals("copied", events.get("data/z-after.bin").status());
            Event deleted = events.get("data/m-deleted-while-copied.bin");
            assertEquals("failed", deleted.status(), deleted.toString());
            assertTrue(deleted.value().get("error").asText().contains("deleted"), deleted.toString());
            assertTrue(client.listObjectsV2(b -> b.bucket("dest").prefix("deleted-test/m")).join().contents()
                    .isEmpty(), "no copy of the deleted object");
            assertTrue(client.listMultipartUploads(b -> b.bucket("dest")).join().uploads().isEmpty(),
                    "its multipart upload was aborted");
            assertEquals(1.0, CopyTestSupport.metric("copy-deleted", "objects-failed-total"), 0.0);
            connect.deleteConnector("copy-deleted");
        }
    }

    @Test
    void serverSideCopiesTheStoreRefusesFallBackToStreamInAutoMode() throws Exception {
        try (CopyRefusingProxy refusing = new CopyRefusingProxy(store.port())) {
            // Source and destination on one endpoint with one key: auto mode tries server-side first.
            Map<String, String> config = CopyTestSupport.connectorConfig("events-fallback", store, "source",
                    "fallback", store, "dest", "fallback-copy");
            config.put("source.s3.endpoint", refusing.endpoint());
            config.put("copy.part.size.bytes", Long.toString(5 * MIB));
            config.put("copy.multipart.threshold.bytes", Long.toString(5 * MIB));
            connect.configureConnector("copy-fallback", config);
            Map<String, Event> events = CopyTestSupport.byKey(
                    CopyTestSupport.awaitEvents(connect, "events-fallback", 3, 60_000));
            assertEquals(3, events.size());
            for (Event e : events.values()) {
                assertEquals("copied", e.status(), e.toString());
                assertEquals("stream", e.mode(), e.toString());
                assertTrue(e.value().get("fallback").asText().contains("NotImplemented"), e.toString());
            }
            assertEquals(3, events.get("fallback/large.bin").value().get("parts").asInt());
            assertTrue(refusing.refused() >= 3, "the store was asked to copy server-side first");
            assertEquals(3.0, CopyTestSupport.metric("copy-fallback", "fallbacks-total"), 0.0);
            assertTrue(client.listMultipartUploads(b -> b.bucket("dest")).join().uploads().isEmpty(),
                    "the refused UploadPartCopy upload was aborted");
            connect.deleteConnector("copy-fallback");

            config.put("copy.mode", "server-side");
            config.put("copy.events.topic", "events-no-fallback");
            config.put("destination.s3.prefix", "no-fallback");
            String trace = failedTaskTrace("copy-no-fallback", config);
            assertTrue(trace.contains("refused to copy") && trace.contains("does not fall back"), trace);
        }
    }

    private static String failedTaskTrace(String name, Map<String, String> config) throws InterruptedException {
        connect.configureConnector(name, config);
        connect.assertions().assertConnectorIsRunningAndTasksHaveFailed(name, 1, name + "'s task fails");
        ConnectorStateInfo status = connect.connectorStatus(name);
        String trace = status.tasks().get(0).trace();
        connect.deleteConnector(name);
        return trace;
    }

    private static void assertNoEvents(String topic) throws Exception {
        boolean exists = connect.kafka().createAdminClient().listTopics().names().get().contains(topic);
        assertTrue(!exists || connect.kafka().consumeAll(10_000, topic).isEmpty(), "no event in " + topic);
    }
}
