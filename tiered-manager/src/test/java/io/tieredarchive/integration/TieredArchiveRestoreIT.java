package io.tieredarchive.integration;

import com.fasterxml.jackson.databind.JsonNode;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentReader;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.TieringServices;
import io.tieredarchive.tier.TieringSettings;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.tieredarchive.integration.RestFixtures.TOPIC;
import static io.tieredarchive.integration.RestCalls.expectError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /tiered-archive/restore} on a real Connect worker whose operator set a restore root: a restore is a job
 * with a status, it writes only new files and only under the root (never through a symbolic link that leaves it,
 * never into a {@code local.dir} in use), a full queue answers 429, and a bad body answers 400 naming the problem.
 */
class TieredArchiveRestoreIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path tmp;
    static Path root;
    static Path outside;
    static S3ProxyServer s3;
    static HeldTcpRelay relay;
    static EmbeddedConnectCluster connect;
    static RestCalls rest;
    static TieringServices.Handle sink;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createDirectories(tmp.resolve("restore-root"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        s3 = S3ProxyServer.startIn(tmp);
        S3Connection bucket = S3TestConnections.create(s3, "restore");
        RestFixtures.archive(S3TestConnections.withPrefix(bucket, "archive"), 0, 5, tmp.resolve("scratch"));
        relay = new HeldTcpRelay(s3.port());
        // A sink's local.dir under the root, in use by its tiering service on this worker.
        sink = TieringServices.acquire(new TieringSettings(root.resolve("sink-local"), 0, -1, -1, 3_600_000, 1,
                1_000, 5_000), S3TestConnections.withPrefix(bucket, "tiered"), "restore-it");

        Map<String, String> worker = new HashMap<>(Map.of(
                "rest.extension.classes", "io.tieredarchive.rest.TieredArchiveRestExtension",
                "tiered.archive.rest.restore.root", root.toString(),
                "tiered.archive.rest.restore.threads", "1",
                "tiered.archive.rest.restore.queue.size", "1"));
        connect = InProcessConnect.named("restore-it").workerProps(worker).start();
        rest = new RestCalls(connect.endpointForResource(""));
        connect.kafka().createTopic("unrelated", 1);
        connect.configureConnector("archiver", RestFixtures.connectorWithArchiveKeys(s3, s3.endpoint(), "restore",
                "archive"));
        connect.configureConnector("slow", RestFixtures.connectorWithArchiveKeys(s3, relay.endpoint(), "restore",
                "archive"));
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("archiver", 1, "archiver did not start");
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("slow", 1, "slow did not start");
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(Closing.stopping(connect), sink, sink == null ? null : sink.service(), relay, s3);
    }

    private static String body(String connector, String directory, Object... more) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("connector", connector, "topic", TOPIC,
                "partition", 0, "directory", directory));
        for (int i = 0; i < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return RestCalls.JSON.writeValueAsString(body);
    }

    /** Waits until the job at {@code location} has finished; returns its last status. */
    private static JsonNode finished(String location) {
        return rest.await(location, a -> a.status() == 200 && a.json().get("state").asText().matches(
                "SUCCEEDED|FAILED"), WAIT).json();
    }

    @Test
    void aRestoreIsAJobWithAStatus() throws Exception {
        RestCalls.Answer accepted = rest.post("tiered-archive/restore", body("archiver", "jobs/first",
                "fromOffset", 150));
        JsonNode job = accepted.expect(202);
        String id = job.get("id").asText();
        assertNotNull(accepted.location(), accepted.toString());
        assertTrue(accepted.location().endsWith("/tiered-archive/restore/" + id), accepted.location());
        assertTrue(job.get("state").asText().matches("QUEUED|RUNNING|SUCCEEDED"), job.toString());

        JsonNode done = finished(accepted.location());
        assertEquals("SUCCEEDED", done.get("state").asText(), done.toString());
        Path dir = root.resolve("jobs/first/orders-0");
        assertEquals(dir.toRealPath().toString(), done.get("directory").asText());
        assertEquals(4, done.get("progress").get("segmentsDone").asInt(), done.toString());
        assertEquals(4, done.get("progress").get("segmentsTotal").asInt(), done.toString());
        assertEquals(done.get("progress").get("bytesTotal").asLong(), done.get("progress").get("bytesDone").asLong());
        assertEquals(100, done.get("result").get("firstOffset").asLong(), done.toString());
        assertEquals(499, done.get("result").get("lastOffset").asLong(), done.toString());
        try (SegmentReader reader = SegmentReader.open(SegmentFiles.of(dir, 200))) {
            assertEquals(250, reader.recordsFrom(250).next().offset());
        }
        assertEquals(done, rest.get("tiered-archive/restore/" + id).expect(200), "the finished job is kept");
    }

    @Test
    void aRestoreNeverReplacesAFile() throws Exception {
        Path dir = Files.createDirectories(root.resolve("clash/orders-0"));
        Path precious = Files.writeString(dir.resolve("00000000000000000100.log"), "precious");
        expectError(rest.post("tiered-archive/restore", body("archiver", "clash")), 409, dir.toRealPath().toString());
        assertEquals("precious", Files.readString(precious), "an existing file was replaced");

        JsonNode first = finished(rest.post("tiered-archive/restore", body("archiver", "twice")).location());
        assertEquals("SUCCEEDED", first.get("state").asText(), first.toString());
        expectError(rest.post("tiered-archive/restore", body("archiver", "twice")), 409, "orders-0");
    }

    @Test
    void aRestoreWritesOnlyUnderTheRoot() throws Exception {
        // The reviewer's three, on a worker running as root: "/etc", "../../x", "/tmp/r/../../etc/x". The test writes
        // to places of its own: 'outside' stands for /etc.
        expectError(rest.post("tiered-archive/restore", body("archiver", outside.toString())), 400,
                "outside the restore root");
        Path fromWorkingDir = Path.of("../../x").toAbsolutePath().normalize();
        boolean existed = Files.exists(fromWorkingDir);
        try {
            expectError(rest.post("tiered-archive/restore", body("archiver", "../../x")), 400, "'..'");
            assertFalse(!existed && Files.exists(fromWorkingDir), "wrote under the worker's working directory");
        } finally {
            if (!existed) {
                Utils.delete(fromWorkingDir.toFile());
            }
        }
        expectError(rest.post("tiered-archive/restore", body("archiver", root + "/../outside/x")), 400, "'..'");

        Files.createSymbolicLink(root.resolve("link-out"), outside);
        expectError(rest.post("tiered-archive/restore", body("archiver", "link-out")), 400, "symbolic link");
        expectError(rest.post("tiered-archive/restore", body("archiver", "link-out/deeper")), 400, "symbolic link");
        Files.createDirectories(root.resolve("sneaky"));
        Files.createSymbolicLink(root.resolve("sneaky/orders-0"), Files.createDirectories(outside.resolve("p")));
        expectError(rest.post("tiered-archive/restore", body("archiver", "sneaky")), 400, "symbolic link");
        Files.createSymbolicLink(root.resolve("dangling"), outside.resolve("not-there"));
        expectError(rest.post("tiered-archive/restore", body("archiver", "dangling")), 400, "symbolic link");

        expectError(rest.post("tiered-archive/restore", body("archiver", "sink-local")), 400, "local.dir");
        expectError(rest.post("tiered-archive/restore", body("archiver", root.resolve("sink-local").toString())),
                400, "local.dir");
        try (Stream<Path> written = Files.walk(outside)) {
            assertEquals(0, written.filter(Files::isRegularFile).count(), "a file written outside the root");
        }

        // Inside the root, through a link that stays inside it: allowed.
        Files.createSymbolicLink(root.resolve("link-in"), Files.createDirectories(root.resolve("real-in")));
        JsonNode done = finished(rest.post("tiered-archive/restore", body("archiver", "link-in",
                "fromOffset", 400)).location());
        assertEquals("SUCCEEDED", done.get("state").asText(), done.toString());
        assertTrue(Files.exists(root.resolve("real-in/orders-0/00000000000000000400.json")), done.toString());
    }

    @Test
    void aFullQueueAnswers429AndTheJobsInItFinish() throws Exception {
        List<String> accepted = new ArrayList<>();
        relay.hold(); // the first job waits for S3 on the only restore thread; the second waits in the queue
        try {
            accepted.add(rest.post("tiered-archive/restore", body("slow", "queue/a")).expect(202).get("id").asText());
            accepted.add(rest.post("tiered-archive/restore", body("slow", "queue/b")).expect(202).get("id").asText());
            expectError(rest.post("tiered-archive/restore", body("slow", "queue/c")), 429, "try again");
            assertFalse(Files.exists(root.resolve("queue/c")), "a refused job wrote something");
        } finally {
            relay.release();
            for (String id : accepted) { // also when an assertion failed: the next test finds the queue empty
                JsonNode done = finished("tiered-archive/restore/" + id);
                assertEquals("SUCCEEDED", done.get("state").asText(), done.toString());
            }
        }
        assertEquals(2, accepted.size());
    }

    @Test
    void badRestoreBodiesAreAnswered400NamingTheProblem() throws Exception {
        String path = "tiered-archive/restore";
        expectError(rest.post(path, "{\"topic\": \"orders\", \"partition\": 0"), 400, "JSON");
        expectError(rest.post(path, ""), 400, "JSON");
        expectError(rest.post(path, "[1, 2]"), 400, "object");
        expectError(rest.post(path, "{\"partition\": 0}"), 400, "'topic'");
        expectError(rest.post(path, "{\"topic\": 5, \"partition\": 0}"), 400, "'topic'");
        expectError(rest.post(path, "{\"topic\": \"bad topic\", \"partition\": 0}"), 400, "bad topic");
        expectError(rest.post(path, "{\"topic\": \"orders\"}"), 400, "'partition'");
        expectError(rest.post(path, "{\"topic\": \"orders\", \"partition\": \"0\"}"), 400, "'partition'");
        expectError(rest.post(path, "{\"topic\": \"orders\", \"partition\": -1}"), 400, "'partition'");
        expectError(rest.post(path, "{\"topic\": \"orders\", \"partition\": 1.5}"), 400, "'partition'");
        expectError(rest.post(path, "{\"topic\": \"orders\", \"partition\": 99999999999}"), 400, "'partition'");
        expectError(rest.post(path, body("archiver", "x", "fromOffset", -1)), 400, "'fromOffset'");
        java.math.BigInteger huge = new java.math.BigInteger("1" + "0".repeat(30));
        expectError(rest.post(path, body("archiver", "x", "fromOffset", huge)), 400, "'fromOffset'");
        expectError(rest.post(path, body("archiver", "x", "fromOffset", 10, "toOffset", 5)), 400, "'toOffset'");
        expectError(rest.post(path, body("archiver", "x", "directory", 7)), 400, "'directory'");
        expectError(rest.post(path, body("archiver", "x", "dirctory", "typo")), 400, "'dirctory'");
        expectError(rest.post(path, body("nope", "x")), 404, "nope");
        assertFalse(Files.exists(root.resolve("x")), "a refused request wrote something");
    }
}
