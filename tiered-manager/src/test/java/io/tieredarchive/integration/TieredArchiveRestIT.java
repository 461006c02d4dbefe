package io.tieredarchive.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentReader;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.TieringServices;
import io.tieredarchive.tier.TieringSettings;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.integration.MonitorableSinkConnector;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST extension on a real Connect worker: stats and archive of the worker's tiering service, the segments of
 * a partition and a restore, for the tiering service or a named connector's archive on S3Proxy.
 */
class TieredArchiveRestIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> JSON_HEADERS = Map.of("Content-Type", "application/json");

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static EmbeddedConnectCluster connect;
    static S3Connection connection;
    static TieringServices.Handle tiering;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyServer.startIn(tmp);
        connection = S3TestConnections.withPrefix(S3TestConnections.create(s3, "rest"), "archive");
        Path localDir = tmp.resolve("local");
        for (long base = 0; base < 300; base += 100) {
            seal(localDir, base);
        }
        tiering = TieringServices.acquire(new TieringSettings(localDir, 3_600_000, -1, -1, 3_600_000, 2, 1_000,
                5_000), connection, "rest-it"); // no upload before the POST /archive
        connect = new EmbeddedConnectCluster.Builder().name("rest-it").numWorkers(1)
                .workerProps(new HashMap<>(Map.of("rest.extension.classes",
                        "io.tieredarchive.rest.TieredArchiveRestExtension", "config.providers", "file",
                        "config.providers.file.class",
                        "org.apache.kafka.common.config.provider.FileConfigProvider")))
                .build();
        connect.start();
    }

    @AfterAll
    static void stop() {
        if (connect != null) {
            connect.stop();
        }
        if (tiering != null) {
            tiering.close();
            tiering.service().close();
        }
        s3.stop();
    }

    private static void seal(Path localDir, long base) throws Exception {
        try (SegmentWriter w = SegmentWriter.create(localDir.resolve("orders-0"), "orders", 0, base,
                new SegmentWriterOptions("lz4", null, 8192, "rest-it"))) {
            for (long o = base; o < base + 100; o++) {
                w.append(new ArchivedRecord(o, 1_700_000_000_000L + o, TimestampType.CREATE_TIME, null,
                        ("v" + o).getBytes(StandardCharsets.UTF_8), new Header[0]));
            }
            w.seal(System.currentTimeMillis() - 1_000);
        }
    }

    private static JsonNode get(String resource, int expectedStatus) throws Exception {
        Response r = connect.requestGet(connect.endpointForResource(resource));
        String body = String.valueOf(r.getEntity()); // EmbeddedConnect returns the body already read
        assertEquals(expectedStatus, r.getStatus(), body);
        assertFalse(body.contains(s3.secretKey()), "a credential in a response: " + body);
        return JSON.readTree(body);
    }

    private static JsonNode post(String resource, String json, int expectedStatus) throws Exception {
        Response r = connect.requestPost(connect.endpointForResource(resource), json, JSON_HEADERS);
        String body = String.valueOf(r.getEntity()); // EmbeddedConnect returns the body already read
        assertEquals(expectedStatus, r.getStatus(), body);
        assertFalse(body.contains(s3.secretKey()), "a credential in a response: " + body);
        return JSON.readTree(body);
    }

    @Test
    void archiveStatsSegmentsAndRestore() throws Exception {
        JsonNode before = get("tiered-archive/stats", 200).get("tiering").get(0);
        assertEquals(3, before.get("pendingSegments").asInt(), before.toString());

        JsonNode archived = post("tiered-archive/archive", "{}", 200).get("tiering").get(0);
        assertEquals(3, archived.get("uploadedSegments").asInt(), archived.toString());
        assertEquals(0, archived.get("pendingSegments").asInt());

        JsonNode segments = get("tiered-archive/segments/orders/0", 200).get("segments");
        assertEquals(3, segments.size());
        assertEquals(200, segments.get(2).get("baseOffset").asLong());
        assertEquals(299, segments.get(2).get("lastOffset").asLong());
        assertEquals("rest-it", segments.get(2).get("writerId").asText());

        Map<String, String> config = new HashMap<>(Map.of("connector.class", MonitorableSinkConnector.class.getName(),
                "tasks.max", "1", "topics", "unrelated", "s3.bucket", "rest", "s3.prefix", "archive",
                "s3.endpoint", s3.endpoint(), "s3.path.style.access", "true",
                "s3.access.key.id", s3.accessKey(), "s3.secret.access.key", s3.secretKey()));
        connect.kafka().createTopic("unrelated", 1);
        connect.configureConnector("archiver", config);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("archiver", 1, "archiver did not start");
        assertEquals(3, get("tiered-archive/segments/orders/0?connector=archiver", 200).get("segments").size());

        // The keys as placeholders of the worker's FileConfigProvider: the extension resolves them as the worker
        // does for the tasks, so the named connector's archive is readable without the keys in its config.
        Path secrets = Files.writeString(tmp.resolve("s3.properties"),
                "access=" + s3.accessKey() + "\nsecret=" + s3.secretKey() + "\n");
        config.put("s3.access.key.id", "${file:" + secrets + ":access}");
        config.put("s3.secret.access.key", "${file:" + secrets + ":secret}");
        connect.configureConnector("archiver-file", config);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("archiver-file", 1, "did not start");
        assertEquals(3, get("tiered-archive/segments/orders/0?connector=archiver-file", 200).get("segments").size());

        Path out = tmp.resolve("restored");
        JsonNode restored = post("tiered-archive/restore", JSON.writeValueAsString(Map.of("connector", "archiver",
                "topic", "orders", "partition", 0, "fromOffset", 150, "directory", out.toString())), 200);
        assertEquals(2, restored.get("segments").asInt(), restored.toString());
        assertEquals(100, restored.get("firstOffset").asLong());
        assertEquals(299, restored.get("lastOffset").asLong());
        try (SegmentReader reader = SegmentReader.open(SegmentFiles.of(out.resolve("orders-0"), 200))) {
            assertEquals(250, reader.recordsFrom(250).next().offset());
        }
        assertTrue(Files.exists(out.resolve("orders-0").resolve("00000000000000000100.log")));
    }

    @Test
    void badRequestsAreNamed() throws Exception {
        JsonNode unknown = get("tiered-archive/segments/orders/0?connector=nope", 404);
        assertTrue(unknown.get("message").asText().contains("nope"), unknown.toString());
        JsonNode noTopic = post("tiered-archive/restore", "{\"partition\": 0, \"directory\": \"/tmp/x\"}", 400);
        assertTrue(noTopic.get("message").asText().contains("'topic'"), noTopic.toString());
    }
}
