package io.tieredarchive.reliability.input.integration;

import io.tieredarchive.testing.ConnectorConfigs;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.cli.TieredArchiveCli;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.reliability.ConnectClusters;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.source.integration.ReplayItSupport;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.RemoteLayout;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad archives where users meet them: the replay connector reading from S3 (S3Proxy) on a real Connect worker.
 * Each case is its own topic of three segments of 200 records; the middle segment (offsets 200..399) is damaged in
 * the file S3Proxy keeps the object in. Every replay must fail with an error naming the damaged object, must have
 * written only correct records and none from offset 200 on, and must have written no file outside its restore
 * cache directory. All replays run at once, so the class costs one failure timeout, not one per case.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayBadInputIT {

    static final String BUCKET = "archive";
    static final String PREFIX = "kafka/archive";
    static final int PER_SEGMENT = 200;
    static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path tempDir;
    private S3ProxyServer s3;
    private EmbeddedConnectCluster connect;
    private RemoteSegmentStore store;
    private final Map<String, BadCase> cases = new LinkedHashMap<>();
    private final Map<String, List<ArchivedRecord>> archived = new LinkedHashMap<>();

    /** A damage to the middle segment and the object the error must name. */
    record BadCase(String topic, String damage, String named, String alsoInTrace) {
    }

    @BeforeAll
    void setUp() throws Exception {
        s3 = S3ProxyServer.startIn(tempDir);
        S3Connection connection = S3TestConnections.withPrefix(S3TestConnections.create(s3, BUCKET), PREFIX);
        store = RemoteSegmentStore.create(connection);
        long t0 = System.currentTimeMillis() - 3_600_000L;
        for (String topic : List.of("bad-log", "bad-base-offset", "bad-index", "bad-timeindex", "bad-marker",
                "marker-offsets-lie", "missing-index", "missing-log", "newer-marker", "newer-manifest",
                "foreign-marker", "escaping-marker", "other")) {
            List<ArchivedRecord> records = BadArchives.records(topic, 3 * PER_SEGMENT, t0);
            archived.put(topic, records);
            List<SegmentMetadata> metas = BadArchives.archive(store, tempDir.resolve("local"), topic, records,
                    PER_SEGMENT);
            if (!topic.equals("other")) {
                cases.put(topic, damage(topic, metas.get(1)));
            }
        }
        connect = InProcessConnect.named("replay-bad-input").byteArrayConverters().start();
    }

    @AfterAll
    void tearDown() throws Exception {
        Closing.closeAll(Closing.stopping(connect), store, s3);
    }

    private Path object(String key) {
        return s3.bucketDir(BUCKET).resolve(key);
    }

    private void dropManifest(String topic) throws Exception {
        Files.delete(object(store.layout().manifestKey(ArchivePartition.legacy(topic, 0))));
    }

    private BadCase damage(String topic, SegmentMetadata middle) throws Exception {
        RemoteLayout.SegmentKeys keys = store.layout().keys(middle);
        String marker = Files.readString(object(keys.marker()));
        switch (topic) {
            case "bad-log" -> BadArchives.flipByte(object(keys.log()), 70);
            case "bad-base-offset" -> BadArchives.flipByte(object(keys.log()), 7);
            case "bad-index" -> BadArchives.flipByte(object(keys.offsetIndex()), 3);
            case "bad-timeindex" -> BadArchives.flipByte(object(keys.timeIndex()), 5);
            case "bad-marker" -> {
                BadArchives.flipByte(object(keys.marker()), 0);
                dropManifest(topic);
            }
            case "marker-offsets-lie" -> {
                Files.writeString(object(keys.marker()), marker.replaceFirst("\"lastOffset\"\\s*:\\s*399",
                        "\"lastOffset\":398"));
                dropManifest(topic);
            }
            case "missing-index" -> Files.delete(object(keys.offsetIndex()));
            case "missing-log" -> Files.delete(object(keys.log()));
            case "newer-marker" -> {
                Files.writeString(object(keys.marker()), marker.replaceFirst("\"formatVersion\"\\s*:\\s*2",
                        "\"formatVersion\":3"));
                dropManifest(topic);
            }
            case "newer-manifest" -> {
                Path manifest = object(store.layout().manifestKey(ArchivePartition.legacy(topic, 0)));
                Files.writeString(manifest, Files.readString(manifest).replaceFirst(
                        "\"formatVersion\"\\s*:\\s*2", "\"formatVersion\":3"));
                return new BadCase(topic, "manifest.json with formatVersion 3",
                        store.layout().manifestKey(ArchivePartition.legacy(topic, 0)),
                        "newer");
            }
            case "foreign-marker" -> {
                // The marker in foreign-marker's folder describes the same segment of topic 'other'.
                Files.writeString(object(keys.marker()), marker.replace("\"foreign-marker\"", "\"other\""));
                dropManifest(topic);
            }
            case "escaping-marker" -> {
                // The marker's topic climbs out of the prefix; the objects it would name are planted where a
                // store that normalises '..' would find them, so only a check of the marker stops the read.
                String hostile = "../../../escaped";
                Files.writeString(object(keys.marker()), marker.replace("\"escaping-marker\"",
                        "\"" + hostile + "\""));
                for (String key : List.of(keys.log(), keys.offsetIndex(), keys.timeIndex(), keys.marker())) {
                    Path planted = s3.bucketDir(BUCKET).resolve("escaped/0").resolve(Path.of(key).getFileName());
                    Files.createDirectories(planted.getParent());
                    Files.copy(object(key), planted);
                }
                dropManifest(topic);
            }
            default -> throw new IllegalArgumentException(topic);
        }
        String named = switch (topic) {
            case "bad-index", "missing-index" -> keys.offsetIndex();
            case "bad-timeindex" -> keys.timeIndex();
            case "bad-marker", "marker-offsets-lie", "newer-marker", "foreign-marker", "escaping-marker" ->
                    keys.marker();
            default -> keys.log();
        };
        return new BadCase(topic, topic, named, topic.startsWith("newer") ? "newer" : "");
    }

    private Map<String, String> replayConfig(String topic) {
        Map<String, String> c = ConnectorConfigs.byteReplay(1);
        c.putAll(ConnectClusters.s3Keys("", s3, BUCKET, PREFIX));
        c.put("replay.topics", topic);
        c.put("replay.topic.format", "${topic}.out");
        c.put("kafka.bootstrap.servers", connect.kafka().bootstrapServers());
        c.put("restore.cache.dir", cacheParent(topic).resolve("cache").toString());
        c.put("replay.batch.records", "50");
        return c;
    }

    private Path cacheParent(String topic) {
        return tempDir.resolve("caches").resolve(topic);
    }

    @Test
    void everyDamagedArchiveFailsNamingTheObjectWithNoWrongRecordAndNoFileOutsideTheCache() throws Exception {
        for (String topic : cases.keySet()) {
            KafkaTopics.create(connect.kafka(), topic + ".out", 1);
            Files.createDirectories(cacheParent(topic));
            connect.configureConnector("replay-" + topic, replayConfig(topic));
        }
        List<String> problems = new ArrayList<>();
        for (BadCase bad : cases.values()) {
            String trace = ReplayItSupport.awaitFailure(connect, "replay-" + bad.topic(), WAIT);
            String firstLine = trace.lines().limit(3).reduce("", (a, b) -> a + b + " | ");
            System.out.println("CASE " + bad.topic() + ": " + firstLine);
            if (!trace.contains(bad.named()) || !trace.contains(bad.alsoInTrace())) {
                problems.add(bad.topic() + ": the error does not name " + bad.named() + " / '" + bad.alsoInTrace()
                        + "': " + firstLine);
            }
            problems.addAll(wrongRecords(bad.topic()));
            List<String> outside = BadArchives.filesUnder(cacheParent(bad.topic())).stream()
                    .filter(f -> !f.startsWith("cache/")).toList();
            if (!outside.isEmpty()) {
                problems.add(bad.topic() + ": files written outside restore.cache.dir: " + outside);
            }
        }
        assertTrue(BadArchives.filesUnder(tempDir.resolve("caches")).stream().allMatch(f -> f.contains("/cache/")),
                "nothing beside the cache directories: " + BadArchives.filesUnder(tempDir.resolve("caches")));
        assertEquals(List.of(), problems);
    }

    /** Problems with what a replay of a damaged topic wrote: only its own records, in order, none from 200 on. */
    private List<String> wrongRecords(String topic) {
        List<String> problems = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> written = ConnectClusters.readAll(connect, topic + ".out", 0);
        List<ArchivedRecord> expected = archived.get(topic);
        if (written.size() > PER_SEGMENT) {
            problems.add(topic + ": " + written.size() + " records replayed, past the last good offset 199");
        }
        for (int i = 0; i < Math.min(written.size(), expected.size()); i++) {
            if (!java.util.Arrays.equals(expected.get(i).value(), written.get(i).value())) {
                problems.add(topic + ": record " + i + " is " + new String(written.get(i).value(),
                        StandardCharsets.UTF_8) + ", not the archived one");
                break;
            }
        }
        return problems;
    }

    @Test
    void anUndamagedTopicReplaysWhole() throws Exception {
        KafkaTopics.create(connect.kafka(), "other.whole", 1);
        Map<String, String> c = replayConfig("other");
        c.put("replay.topic.format", "${topic}.whole");
        connect.configureConnector("replay-other", c);
        List<ConsumerRecord<byte[], byte[]>> written = ConnectClusters.awaitRecords(connect, "other.whole",
                3 * PER_SEGMENT, WAIT);
        assertEquals(3 * PER_SEGMENT, written.size());
        for (int i = 0; i < written.size(); i++) {
            assertArrayEquals(archived.get("other").get(i).value(), written.get(i).value(), "record " + i);
        }
    }

    /** Runs the CLI in-process on this test's store; returns exit code, stdout and stderr. */
    CliRun cli(String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        ConnectClusters.s3Keys("", s3, BUCKET, PREFIX).forEach((k, v) -> {
            args.add("--set");
            args.add(k + "=" + v);
        });
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TieredArchiveCli.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        return new CliRun(code, out.toString(), err.toString());
    }

    record CliRun(int code, String out, String err) {
        String all() {
            return "exit " + code + "\n" + out + err;
        }
    }

    @Test
    void cliVerifyReportsEveryDamagedObjectAndRestoreRefusesIt() throws Exception {
        List<String> problems = new ArrayList<>();
        for (BadCase bad : cases.values()) {
            CliRun verify = cli("verify", bad.topic(), "0");
            System.out.println("VERIFY " + bad.topic() + ": " + verify.all().replace('\n', '|'));
            if (verify.code() == 0 || !verify.all().contains(bad.named())) {
                problems.add("verify " + bad.topic() + " does not fail naming " + bad.named() + ": " + verify.all());
            }
            Path restoreRoot = Files.createDirectories(tempDir.resolve("restores").resolve(bad.topic()));
            CliRun restore = cli("restore", bad.topic(), "0", "--output", restoreRoot.resolve("out").toString(),
                    "--no-progress");
            System.out.println("RESTORE " + bad.topic() + ": " + restore.all().replace('\n', '|'));
            if (restore.code() == 0 || !restore.all().contains(bad.named())) {
                problems.add("restore " + bad.topic() + " does not fail naming " + bad.named() + ": "
                        + restore.all());
            }
            List<String> outside = BadArchives.filesUnder(restoreRoot).stream()
                    .filter(f -> !f.startsWith("out/")).toList();
            if (!outside.isEmpty()) {
                problems.add("restore " + bad.topic() + " wrote outside --output: " + outside);
            }
            for (CliRun run : List.of(verify, restore)) {
                if (run.all().contains(s3.secretKey())) {
                    problems.add("the CLI printed the secret key: " + run.all());
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void cliRestoreOfAHostileTopicNameWritesNothingOutsideItsOutput() throws Exception {
        Path root = Files.createDirectories(tempDir.resolve("hostile-restore"));
        Path output = Files.createDirectories(root.resolve("a").resolve("out"));
        for (String topic : List.of("../escaped", "../../escaped", "a/../../other", "/abs", "..", ".")) {
            CliRun run = cli("restore", topic, "0", "--output", output.toString(), "--no-progress");
            System.out.println("HOSTILE RESTORE " + topic + ": " + run.all().replace('\n', '|'));
            assertTrue(run.code() != 0, topic + " is not a topic name: " + run.all());
            assertEquals(List.of(), BadArchives.filesUnder(root), "restore of '" + topic + "' wrote files");
            assertEquals(List.of("a", "a/out"), dirsUnder(root), "restore of '" + topic + "' made directories");
        }
    }

    private static List<String> dirsUnder(Path dir) throws Exception {
        try (var paths = Files.walk(dir)) {
            return paths.filter(Files::isDirectory).filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString())
                    .sorted().toList();
        }
    }
}
