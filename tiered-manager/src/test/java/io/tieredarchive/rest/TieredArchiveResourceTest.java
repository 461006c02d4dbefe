package io.tieredarchive.rest;

import io.tieredarchive.config.ConfigProviders;
import io.tieredarchive.integration.RestFixtures;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import org.apache.kafka.connect.health.ConnectClusterState;
import org.apache.kafka.connect.health.ConnectorHealth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code /tiered-archive} resource called as Jersey calls it, on an archive in S3Proxy: the segments of a
 * connector's archive by page, a restore job under the operator's root and its status, and the 4xx a bad request
 * gets. The connectors are those of a worker's cluster state (the same view Connect gives the extension).
 */
class TieredArchiveResourceTest {

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    /** The worker's connectors: one whose config holds the archive's s3.* keys. */
    static Map<String, Map<String, String>> connectors;

    private TieredArchiveResource resource;

    @BeforeAll
    static void archive() throws Exception {
        s3 = S3ProxyServer.startIn(tmp);
        RestFixtures.archive(S3TestConnections.withPrefix(S3TestConnections.create(s3, "resource"), "archive"), 0, 5,
                tmp.resolve("scratch"));
        connectors = Map.of("archiver", RestFixtures.connectorWithArchiveKeys(s3, s3.endpoint(), "resource",
                "archive"));
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(s3);
    }

    @AfterEach
    void closeResource() {
        if (resource != null) {
            resource.close();
        }
    }

    private TieredArchiveResource resource(Map<String, String> workerConfig) {
        resource = new TieredArchiveResource(new WorkerConnectors(), ConfigProviders.none(),
                new RestExtensionConfig(workerConfig));
        return resource;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Response response) {
        return (Map<String, Object>) response.getEntity();
    }

    @Test
    void segmentsArePagedInOffsetOrderAndFollowingNextListsEachOnce() {
        TieredArchiveResource rest = resource(Map.of());
        Response first = rest.segments("orders", "0", "archiver", null, "2", null);
        assertEquals(200, first.getStatus(), () -> String.valueOf(first.getEntity()));
        assertEquals(List.of(0L, 100L), baseOffsets(json(first)));
        assertEquals(200L, json(first).get("next"));

        Response second = rest.segments("orders", "0", "archiver", "200", "10", null);
        assertEquals(List.of(200L, 300L, 400L), baseOffsets(json(second)));
        assertNull(json(second).get("next"), "the last page");
    }

    @SuppressWarnings("unchecked")
    private static List<Long> baseOffsets(Map<String, Object> page) {
        return ((List<Map<String, Object>>) page.get("segments")).stream()
                .map(s -> ((Number) s.get("baseOffset")).longValue()).toList();
    }

    @Test
    void badSegmentsRequestsAre4xxNamingTheProblem() {
        TieredArchiveResource rest = resource(Map.of());
        Response partition = rest.segments("orders", "-1", "archiver", null, null, null);
        assertEquals(400, partition.getStatus());
        assertTrue(String.valueOf(json(partition).get("message")).contains("partition"), json(partition)::toString);

        Response unknown = rest.segments("orders", "0", "nobody", null, null, null);
        assertEquals(404, unknown.getStatus());
        assertEquals("Unknown connector 'nobody'", json(unknown).get("message"));

        Response notArchived = rest.segments("payments", "0", "archiver", null, null, null);
        assertEquals(404, notArchived.getStatus(), json(notArchived)::toString);
    }

    @Test
    void restoreIsOffUntilTheWorkerNamesARoot() {
        Response response = resource(Map.of()).restore(body("{\"connector\":\"archiver\",\"topic\":\"orders\","
                + "\"partition\":0,\"directory\":\"orders-0\"}"), uri());
        assertEquals(403, response.getStatus());
        assertTrue(String.valueOf(json(response).get("message")).contains(RestExtensionConfig.RESTORE_ROOT),
                json(response)::toString);
    }

    @Test
    void aRestoreIsAJobThatWritesUnderTheRootAndReportsItsResult() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("restore-root"));
        TieredArchiveResource rest = resource(Map.of(RestExtensionConfig.RESTORE_ROOT, root.toString()));
        Response accepted = rest.restore(body("{\"connector\":\"archiver\",\"topic\":\"orders\",\"partition\":0,"
                + "\"fromOffset\":150,\"directory\":\"restored\"}"), uri());
        assertEquals(202, accepted.getStatus(), json(accepted)::toString);
        String id = (String) json(accepted).get("id");
        assertEquals("http://worker:8083/tiered-archive/restore/" + id, accepted.getLocation().toString());

        Map<String, Object> status = awaitFinished(rest, id);
        assertEquals("SUCCEEDED", status.get("state"), status::toString);
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) status.get("result");
        assertEquals(4, result.get("segments"), "the segments holding offsets 150 to the end: " + result);
        assertEquals(100L, result.get("firstOffset"));
        assertEquals(499L, result.get("lastOffset"));
        Path written = Path.of((String) status.get("directory"));
        assertTrue(written.startsWith(root), written + " is under the root");
        try (Stream<Path> files = Files.walk(written)) {
            assertEquals(4, files.filter(p -> p.toString().endsWith(SegmentFiles.LOG_SUFFIX)).count(),
                    "the restored segments' logs are there: " + written);
        }

        assertEquals(404, rest.restoreJob("no-such-job").getStatus());
    }

    private static Map<String, Object> awaitFinished(TieredArchiveResource rest, String id) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            Response response = rest.restoreJob(id);
            assertEquals(200, response.getStatus());
            Map<String, Object> status = json(response);
            String state = (String) status.get("state");
            if (state.equals("SUCCEEDED") || state.equals("FAILED") || System.nanoTime() > deadline) {
                return status;
            }
            Thread.sleep(100);
        }
    }

    private static ByteArrayInputStream body(String json) {
        return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The request's URI information as Jersey gives it, for a worker at http://worker:8083/. */
    private static UriInfo uri() {
        return (UriInfo) Proxy.newProxyInstance(UriInfo.class.getClassLoader(), new Class<?>[] {UriInfo.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getBaseUriBuilder")) {
                        return UriBuilder.fromUri("http://worker:8083/");
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** The worker's view of its cluster's connectors, as Connect hands it to a REST extension. */
    private static final class WorkerConnectors implements ConnectClusterState {
        @Override
        public Collection<String> connectors() {
            return connectors.keySet();
        }

        @Override
        public ConnectorHealth connectorHealth(String connName) {
            throw new UnsupportedOperationException("not used by the resource");
        }

        @Override
        public Map<String, String> connectorConfig(String connName) {
            return connectors.get(connName);
        }
    }
}
