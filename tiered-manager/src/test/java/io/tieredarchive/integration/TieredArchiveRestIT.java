package io.tieredarchive.integration;

import com.fasterxml.jackson.databind.JsonNode;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.TieringServices;
import io.tieredarchive.tier.TieringSettings;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tieredarchive.integration.RestCalls.expectError;
import static io.tieredarchive.integration.RestFixtures.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST extension on a real Connect worker (no restore root configured): stats, {@code archive} as an
 * asynchronous request that respects the tiering service's backoff, paged {@code segments} of a named connector's
 * archive on S3Proxy, and 4xx answers that name what is wrong. Restores are {@link TieredArchiveRestoreIT}'s.
 */
class TieredArchiveRestIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static EmbeddedConnectCluster connect;
    static RestCalls rest;
    static TieringServices.Handle tiering;
    static TieringServices.Handle failing;
    static Path tieringDir;
    static Path failingDir;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyServer.startIn(tmp);
        S3Connection bucket = S3TestConnections.create(s3, "rest");
        RestFixtures.archive(S3TestConnections.withPrefix(bucket, "archive"), 0, 5, tmp.resolve("scratch"));

        // Scans once at start, then only when asked: what POST /archive asks for is the only pass after that.
        tieringDir = tmp.resolve("local");
        tiering = TieringServices.acquire(new TieringSettings(tieringDir, 0, -1, -1, 3_600_000, 2, 1_000, 5_000),
                S3TestConnections.withPrefix(bucket, "tiered"), "rest-it");
        // A bucket that does not exist: its one segment fails, then waits an hour of backoff.
        failingDir = tmp.resolve("failing");
        RestFixtures.seal(failingDir, 0, 0, 10, "failing");
        failing = TieringServices.acquire(new TieringSettings(failingDir, 0, -1, -1, 3_600_000, 1, 3_600_000,
                3_600_000), RestFixtures.onBucket(bucket, "no-such-bucket"), "rest-it-failing");

        connect = InProcessConnect.named("rest-it").workerProps(Map.of("rest.extension.classes",
                "io.tieredarchive.rest.TieredArchiveRestExtension", "config.providers", "file",
                "config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider")).start();
        rest = new RestCalls(connect.endpointForResource(""));
        connect.kafka().createTopic("unrelated", 1);
        connect.configureConnector("archiver", RestFixtures.connectorWithArchiveKeys(s3, s3.endpoint(), "rest",
                "archive"));
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("archiver", 1, "archiver did not start");
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(Closing.stopping(connect), tiering, tiering == null ? null : tiering.service(), failing,
                failing == null ? null : failing.service(), s3);
    }

    /** This test's entry of {@code stats} for {@code localDir}. */
    private static JsonNode statsOf(JsonNode answer, Path localDir) {
        for (JsonNode service : answer.get("tiering")) {
            if (service.get("localDir").asText().equals(localDir.toAbsolutePath().normalize().toString())) {
                return service;
            }
        }
        throw new AssertionError("No stats for " + localDir + " in " + answer);
    }

    private static JsonNode stats() {
        return rest.get("tiered-archive/stats").expect(200);
    }

    @Test
    void archiveAsksForAPassAndAnswersAtOnce() throws Exception {
        rest.await("tiered-archive/stats", a -> statsOf(a.json(), tieringDir).get("lastPassAtMs").asLong() > 0,
                WAIT);
        for (long base = 0; base < 300; base += 100) { // after the service's only scheduled pass
            RestFixtures.seal(tieringDir, 0, base, 100, "rest-it");
        }
        JsonNode accepted = rest.post("tiered-archive/archive", "{}").expect(202);
        assertTrue(accepted.get("tiering").size() >= 2, accepted.toString());
        statsOf(accepted, tieringDir);

        JsonNode done = rest.await("tiered-archive/stats",
                a -> statsOf(a.json(), tieringDir).get("uploadedSegments").asInt() == 3, WAIT).json();
        assertEquals(0, statsOf(done, tieringDir).get("pendingSegments").asInt(), done.toString());
    }

    @Test
    void archiveRespectsTheBackoffOfAFailingStoreHoweverOftenItIsAsked() throws Exception {
        rest.await("tiered-archive/stats", a -> statsOf(a.json(), failingDir).get("failedAttempts").asInt() >= 1,
                WAIT);
        long before = System.currentTimeMillis();
        for (int i = 0; i < 20; i++) {
            rest.post("tiered-archive/archive", "{}").expect(202);
        }
        // A pass ran after the last request (each asks for one); none of them tried the failing upload again.
        JsonNode after = rest.await("tiered-archive/stats",
                a -> statsOf(a.json(), failingDir).get("lastPassAtMs").asLong() >= before, WAIT).json();
        JsonNode service = statsOf(after, failingDir);
        assertEquals(1, service.get("failedAttempts").asInt(), service.toString());
        assertEquals(1, service.get("pendingSegments").asInt(), service.toString());
        assertTrue(service.get("lastError").asText().contains("no-such-bucket"), service.toString());
    }

    @Test
    void segmentsArePagedInOffsetOrder() {
        String path = "tiered-archive/segments/orders/0?connector=archiver";
        JsonNode all = rest.get(path).expect(200);
        assertEquals(5, all.get("segments").size(), all.toString());
        assertTrue(all.get("next").isNull(), all.toString());
        assertEquals("rest-it", all.get("segments").get(4).get("writerId").asText());
        assertEquals(499, all.get("segments").get(4).get("lastOffset").asLong());

        List<Long> bases = new ArrayList<>();
        String page = path + "&limit=2";
        for (int pages = 1; ; pages++) {
            JsonNode answer = rest.get(page).expect(200);
            assertTrue(answer.get("segments").size() <= 2, answer.toString());
            answer.get("segments").forEach(s -> bases.add(s.get("baseOffset").asLong()));
            if (answer.get("next").isNull()) {
                assertEquals(3, pages);
                break;
            }
            page = path + "&limit=2&fromOffset=" + answer.get("next").asLong();
        }
        assertEquals(List.of(0L, 100L, 200L, 300L, 400L), bases);

        JsonNode holding = rest.get(path + "&fromOffset=150&limit=1").expect(200);
        assertEquals(100, holding.get("segments").get(0).get("baseOffset").asLong(), holding.toString());
        assertEquals(200, holding.get("next").asLong(), holding.toString());
        assertEquals(0, rest.get(path + "&fromOffset=500").expect(200).get("segments").size());
    }

    @Test
    void aNamedConnectorsKeysAreResolvedThroughTheWorkersConfigProviders() throws Exception {
        // The keys as placeholders of the worker's FileConfigProvider: the extension resolves them as the worker
        // does for the tasks, so the named connector's archive is readable without the keys in its config.
        Path secrets = Files.writeString(tmp.resolve("s3.properties"),
                "access=" + s3.accessKey() + "\nsecret=" + s3.secretKey() + "\n");
        Map<String, String> config = RestFixtures.connectorWithArchiveKeys(s3, s3.endpoint(), "rest", "archive");
        config.put("s3.access.key.id", "${file:" + secrets + ":access}");
        config.put("s3.secret.access.key", "${file:" + secrets + ":secret}");
        connect.configureConnector("archiver-file", config);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("archiver-file", 1, "did not start");
        JsonNode answer = rest.get("tiered-archive/segments/orders/0?connector=archiver-file").expect(200);
        assertEquals(5, answer.get("segments").size(), answer.toString());
        assertFalse(answer.toString().contains(s3.secretKey()));
    }

    @Test
    void restoreIsOffUntilTheOperatorNamesARoot() {
        JsonNode off = rest.post("tiered-archive/restore", "{\"connector\": \"archiver\", \"topic\": \"orders\", "
                + "\"partition\": 0, \"directory\": \"" + tmp.resolve("anywhere") + "\"}").expect(403);
        assertEquals(403, off.get("error_code").asInt(), off.toString());
        assertTrue(off.get("message").asText().contains("tiered.archive.rest.restore.root"), off.toString());
        assertFalse(Files.exists(tmp.resolve("anywhere")), "nothing written");
    }

    @Test
    void badSegmentsRequestsAreAnswered4xxNamingTheProblem() {
        String base = "tiered-archive/segments/";
        expectError(rest.get(base + "orders/-1?connector=archiver"), 400, "'partition'");
        expectError(rest.get(base + "orders/x?connector=archiver"), 400, "'partition'");
        expectError(rest.get(base + "orders/99999999999?connector=archiver"), 400, "'partition'");
        expectError(rest.get(base + "bad$topic/0?connector=archiver"), 400, "bad$topic");
        expectError(rest.get(base + TOPIC + "/0?connector=archiver&limit=0"), 400, "'limit'");
        expectError(rest.get(base + TOPIC + "/0?connector=archiver&limit=1000001"), 400, "'limit'");
        expectError(rest.get(base + TOPIC + "/0?connector=archiver&fromOffset=-3"), 400, "'fromOffset'");
        expectError(rest.get(base + TOPIC + "/0?connector=archiver&fromOffset=1e3"), 400, "'fromOffset'");
        expectError(rest.get(base + TOPIC + "/0?connector=nope"), 404, "nope");
        expectError(rest.get(base + TOPIC + "/0"), 400, "connector");
        expectError(rest.get("tiered-archive/restore/no-such-job"), 404, "no-such-job");
    }
}
