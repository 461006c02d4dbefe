package io.tieredarchive.reliability.input.integration;

import io.tieredarchive.testing.ConnectorConfigs;
import io.tieredarchive.tier.LocalDirOwner;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.tier.remote.IncarnationSelection;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.reliability.ConnectClusters;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.sink.ArchiveSinkConnector;
import io.tieredarchive.source.ArchiveReplaySourceConnector;
import io.tieredarchive.source.integration.ReplayItSupport;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.test.TestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Names at the limits, end to end on one worker and one S3Proxy: topic names of Kafka's maximum length (249) and
 * with '.', '_' and '-' mixed, through sink, tier and replay (the partition folders on disk keep their names);
 * hostile object keys in the bucket copy's source (Unicode in NFC and NFD, emoji, right-to-left text and controls,
 * keys of S3's maximum length and one that the destination prefix makes too long), each copied to exactly its
 * intended destination key or refused with a failed event, never copied to another key; and the sink meeting a
 * damaged local.dir.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileNamesIT {

    /** The file in local.dir that names the connector archiving it (docs/sink.md, "One local.dir, one connector"). */
    private static final String OWNER_FILE = LocalDirOwner.FILE_NAME;

    static final String BUCKET = "names";
    static final Duration WAIT = Duration.ofSeconds(120);
    static final ObjectMapper JSON = new ObjectMapper();
    /** 249 characters, Kafka's limit, with every character class a topic name may hold. */
    static final String LONGEST = longestTopicName();
    static final String MIXED = "x._y_.z-__..1";

    @TempDir
    static Path tempDir;
    private S3ProxyServer s3;
    private EmbeddedConnectCluster connect;
    private S3AsyncClient client;

    static String longestTopicName() {
        StringBuilder b = new StringBuilder();
        String pattern = "Ab.9_c-";
        while (b.length() < 249) {
            b.append(pattern.charAt(b.length() % pattern.length()));
        }
        return b.toString();
    }

    @BeforeAll
    void setUp() throws Exception {
        s3 = S3ProxyServer.startIn(tempDir);
        S3Connection connection = S3TestConnections.create(s3, BUCKET);
        S3TestConnections.create(s3, "copy-dst");
        client = S3ClientFactory.asyncClient(connection);
        connect = InProcessConnect.named("hostile-names").byteArrayConverters().start();
    }

    @AfterAll
    void tearDown() throws Exception {
        Closing.closeAll(client, Closing.stopping(connect), s3);
    }

    private Map<String, String> converters(Map<String, String> c) {
        c.put("key.converter", ByteArrayConverter.class.getName());
        c.put("value.converter", ByteArrayConverter.class.getName());
        c.put("header.converter", ByteArrayConverter.class.getName());
        return c;
    }

    @Test
    void topicNamesAtKafkasLimitsGoThroughSinkTierAndReplay() throws Exception {
        assertEquals(249, LONGEST.length());
        int count = 300;
        Map<String, List<String>> produced = new LinkedHashMap<>();
        for (String topic : List.of(LONGEST, MIXED)) {
            KafkaTopics.create(connect.kafka(), topic, 1);
            List<String> values = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                values.add(topic.substring(0, 8) + ":" + i);
                connect.kafka().produce(topic, 0, "k" + i, values.get(i));
            }
            produced.put(topic, values);
        }
        Path localDir = tempDir.resolve("sink-local");
        Map<String, String> sink = converters(ConnectClusters.s3Keys("", s3, BUCKET, "limits"));
        sink.put("connector.class", ArchiveSinkConnector.class.getName());
        sink.put("tasks.max", "1");
        sink.put("topics", LONGEST + "," + MIXED);
        sink.put("local.dir", localDir.toString());
        sink.put("kafka.bootstrap.servers", connect.kafka().bootstrapServers());
        sink.put("segment.ms", "1000");
        sink.put("batch.bytes", "4096");
        connect.configureConnector("limits-sink", sink);

        S3Connection archive = S3TestConnections.withPrefix(S3TestConnections.create(s3, BUCKET), "limits");
        try (RemoteSegmentStore store = RemoteSegmentStore.create(archive)) {
            for (String topic : produced.keySet()) {
                TestUtils.waitForCondition(() -> !store.catalog().incarnations(topic).isEmpty() && store.view(
                        store.catalog().resolve(topic, 0, IncarnationSelection.LATEST_ONE)).endOffset() >= count,
                        WAIT.toMillis(),
                        () -> topic.substring(0, 10) + "... is not all in S3");
            }
        }
        try (Stream<Path> dirs = Files.list(localDir)) {
            assertEquals(new TreeSet<>(Set.of(LONGEST + "-0", MIXED + "-0", OWNER_FILE)),
                    dirs.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)),
                    "one folder per partition, named <topic>-<partition>, and the owner file; nothing else");
        }
        try (Stream<Path> inTopicDir = Files.list(localDir.resolve(LONGEST + "-0"))) {
            assertTrue(inTopicDir.allMatch(p -> p.getFileName().toString().matches("\\d{20}\\.[a-z.]+")),
                    "segment files named by their base offset");
        }
        connect.deleteConnector("limits-sink");

        int n = 0;
        for (Map.Entry<String, List<String>> topic : produced.entrySet()) {
            String target = "limits.restored." + n++;
            KafkaTopics.create(connect.kafka(), target, 1);
            Map<String, String> replay = replayConfig(topic.getKey(), target);
            connect.configureConnector("limits-replay-" + n, replay);
            List<ConsumerRecord<byte[], byte[]>> written = ConnectClusters.awaitRecords(connect, target, count,
                    WAIT);
            assertEquals(topic.getValue(), written.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .toList(), "the replay of " + topic.getKey().substring(0, 8) + "... is the original");
        }

        // A format that makes the longest name longer is refused by validation, naming the key and the target.
        Map<String, String> tooLong = replayConfig(LONGEST, "r${topic}");
        tooLong.put("name", "limits-too-long");
        ConfigInfos infos = connect.validateConnectorConfig(ArchiveReplaySourceConnector.class.getSimpleName(),
                tooLong);
        List<String> errors = infos.configs().stream().filter(v -> v.configValue().name()
                .equals("replay.topic.format")).flatMap(v -> v.configValue().errors().stream()).toList();
        assertEquals(1, infos.errorCount(), infos.toString());
        assertTrue(errors.size() == 1 && errors.get(0).contains("turns topic '" + LONGEST + "' into 'r" + LONGEST
                + "', which is not a legal topic name"), errors.toString());
    }

    private Map<String, String> replayConfig(String topic, String format) {
        Map<String, String> replay = converters(ConnectClusters.s3Keys("", s3, BUCKET, "limits"));
        replay.put("connector.class", ArchiveReplaySourceConnector.class.getName());
        replay.put("tasks.max", "1");
        replay.put("replay.topics", topic);
        replay.put("replay.topic.format", format);
        replay.put("kafka.bootstrap.servers", connect.kafka().bootstrapServers());
        replay.put("restore.cache.dir", tempDir.resolve("replay-cache").resolve("cache").toString());
        return replay;
    }

    /**
     * The sink's recovery of its local.dir on assignment: a sealed segment whose .log was cut short, and a sealed
     * segment of another topic put into a partition's folder. The task fails naming the file; nothing reaches S3;
     * the damaged files are left as they are for the user to look at; nothing appears beside local.dir.
     */
    @Test
    void aDamagedLocalDirFailsTheSinkNamingTheFileAndTouchesNothing() throws Exception {
        Path parent = tempDir.resolve("sink-bad");
        Map<String, String> expected = new LinkedHashMap<>();
        Map<String, Long> sizes = new HashMap<>();
        for (String topic : List.of("local-cut", "local-foreign")) {
            KafkaTopics.create(connect.kafka(), topic, 1);
            for (int i = 0; i < 50; i++) {
                connect.kafka().produce(topic, 0, "k" + i, "v" + i);
            }
            Path localDir = parent.resolve(topic);
            String writtenAs = topic.equals("local-foreign") ? "another-topic" : topic;
            List<io.tieredarchive.segment.ArchivedRecord> records = BadArchives.records(writtenAs, 100,
                    System.currentTimeMillis());
            Path dir = localDir.resolve(topic + "-0");
            try (io.tieredarchive.segment.SegmentWriter w = io.tieredarchive.segment.SegmentWriter.create(dir,
                    writtenAs, 0, 0, new io.tieredarchive.segment.SegmentWriterOptions("zstd", null, 4096, "w"))) {
                for (io.tieredarchive.segment.ArchivedRecord r : records) {
                    w.append(r);
                }
                w.seal(System.currentTimeMillis());
            }
            Path log = dir.resolve(String.format("%020d.log", 0));
            if (topic.equals("local-cut")) {
                try (var channel = java.nio.channels.FileChannel.open(log, java.nio.file.StandardOpenOption.WRITE)) {
                    channel.truncate(channel.size() - 10);
                }
                expected.put(topic, log + ": is " + Files.size(log) + " bytes long but its marker records "
                        + (Files.size(log) + 10));
            } else {
                expected.put(topic, dir.resolve(String.format("%020d.json", 0)) + ": the marker describes "
                        + "another-topic-0 base offset 0, not local-foreign-0 base offset 0");
            }
            for (Path p : BadArchives.filesUnder(localDir).stream().map(localDir::resolve).toList()) {
                sizes.put(p.toString(), Files.size(p));
            }
            Map<String, String> sink = converters(ConnectClusters.s3Keys("", s3, BUCKET, "bad-local"));
            sink.put("connector.class", ArchiveSinkConnector.class.getName());
            sink.put("tasks.max", "1");
            sink.put("topics", topic);
            sink.put("local.dir", localDir.toString());
            sink.put("kafka.bootstrap.servers", connect.kafka().bootstrapServers());
            connect.configureConnector("sink-" + topic, sink);
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String trace = ReplayItSupport.awaitFailure(connect, "sink-" + e.getKey(), WAIT);
            assertTrue(trace.contains("Cannot open the archive of " + e.getKey() + "-0 in "
                    + parent.resolve(e.getKey()).resolve(e.getKey() + "-0") + ": Corrupt segment data in "
                    + e.getValue()), trace);
            connect.deleteConnector("sink-" + e.getKey());
        }
        Map<String, Long> after = new HashMap<>();
        for (String topic : expected.keySet()) {
            Path localDir = parent.resolve(topic);
            for (Path p : BadArchives.filesUnder(localDir).stream().map(localDir::resolve).toList()) {
                if (!p.getFileName().toString().equals(OWNER_FILE)) { // which connector archives there (sink.md)
                    after.put(p.toString(), Files.size(p));
                }
            }
        }
        assertEquals(sizes, after, "the damaged segments are left as they were, and nothing was added");
        try (Stream<Path> beside = Files.list(parent)) {
            assertEquals(new TreeSet<>(expected.keySet()), beside.map(p -> p.getFileName().toString())
                    .collect(Collectors.toCollection(TreeSet::new)), "nothing beside the local.dirs");
        }
        // The connector snapshots each topic's configs and describes its incarnation when it starts (a restore
        // needs them); no object of a partition (segment files, manifest) may come from a damaged local.dir.
        assertEquals(List.of(), listKeys(BUCKET, "bad-local/").stream().filter(k -> k.matches(".*/\\d+/.*")).toList(),
                "no segment reached S3");
    }

    /** Keys relative to the copy's source prefix "in", each as the test means it. */
    static Map<String, String> hostileKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("nfc", "caf\u00e9/cr\u00e8me.txt");
        keys.put("nfd", "cafe\u0301/cre\u0300me.txt");
        keys.put("emoji", "emoji-\uD83D\uDE00\uD83D\uDC4D\uD83C\uDFFD/\uD83E\uDDEA.bin");
        keys.put("rtl", "\u05E9\u05DC\u05D5\u05DD/\u0645\u0631\u062D\u0628\u0627-\u202Etxt.exe");
        keys.put("zero-width", "zw\u200Bj\u200D/bom\uFEFF.txt");
        keys.put("spaces-plus-percent", "a b+c%2F..%2e%2e/d.txt");
        // "in/" + 1,021 bytes = 1,024 bytes, S3's limit: "out/" + the same is 1,025, too long.
        keys.put("max-length", longKey(1021));
        // 1,020 bytes: "out/" + it is exactly 1,024, copied.
        keys.put("max-after-prefix", longKey(1020));
        return keys;
    }

    /** A key of {@code bytes} ASCII bytes in folders of at most 200 (a file-system store's names are short). */
    static String longKey(int bytes) {
        List<String> parts = new ArrayList<>();
        int left = bytes;
        int i = 0;
        while (left > 0) {
            int len = Math.min(200, left);
            if (left - len == 1) {
                len--; // never a last part of 0 characters after its slash
            }
            String part = (char) ('a' + i++) + "x".repeat(len - 1);
            parts.add(part);
            left -= len;
            if (left > 0) {
                left--; // the slash
            }
        }
        String key = String.join("/", parts);
        assertEquals(bytes, key.getBytes(StandardCharsets.UTF_8).length);
        return key;
    }

    @Test
    void hostileKeysAreCopiedToExactlyTheirKeyOrRefused() throws Exception {
        Map<String, String> keys = hostileKeys();
        Map<String, byte[]> contents = new HashMap<>();
        for (Map.Entry<String, String> e : keys.entrySet()) {
            byte[] bytes = (e.getKey() + " " + e.getValue()).getBytes(StandardCharsets.UTF_8);
            contents.put("in/" + e.getValue(), bytes);
            client.putObject(b -> b.bucket(BUCKET).key("in/" + e.getValue()), AsyncRequestBody.fromBytes(bytes))
                    .join();
        }
        List<String> listed = listKeys(BUCKET, "in/");
        assertEquals(new TreeSet<>(contents.keySet()), new TreeSet<>(listed), "the store holds every key as put");

        Map<String, String> copy = ConnectorConfigs.withTopicCreation(ConnectorConfigs.bucketCopy("hostile-events", 1));
        copy.putAll(ConnectClusters.s3Keys("source.", s3, BUCKET, "in"));
        copy.putAll(ConnectClusters.s3Keys("destination.", s3, "copy-dst", "out"));
        connect.configureConnector("hostile-copy", copy);
        connect.kafka().consume(keys.size(), WAIT.toMillis(), "hostile-events");
        Map<String, JsonNode> events = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : connect.kafka().consumeAll(30_000, "hostile-events")) {
            JsonNode event = JSON.readTree(r.value());
            assertTrue(events.put(new String(r.key(), StandardCharsets.UTF_8), event) == null, "one event per key");
        }
        assertEquals(new TreeSet<>(listed), new TreeSet<>(events.keySet()), "an event for every source key");

        List<String> expectedAtDestination = new ArrayList<>();
        for (Map.Entry<String, String> e : keys.entrySet()) {
            String source = "in/" + e.getValue();
            JsonNode event = events.get(source);
            String intended = "out/" + e.getValue();
            assertEquals("s3://copy-dst/" + intended, event.get("destination").asText(), e.getKey());
            if (e.getKey().equals("max-length")) {
                assertEquals("failed", event.get("status").asText(), e.getKey() + ": " + event);
                assertTrue(event.get("error").asText().contains("would be 1025 UTF-8 bytes long; S3 allows 1024"),
                        event.toString());
            } else {
                assertEquals("copied", event.get("status").asText(), e.getKey() + ": " + event);
                expectedAtDestination.add(intended);
                byte[] copied = client.getObject(b -> b.bucket("copy-dst").key(intended),
                        AsyncResponseTransformer.toBytes()).join().asByteArray();
                assertArrayEquals(contents.get(source), copied, e.getKey() + ": the bytes at its destination");
            }
        }
        assertEquals(new TreeSet<>(expectedAtDestination), new TreeSet<>(listKeys("copy-dst", "")),
                "the destination holds exactly the intended keys, nothing else");
        connect.deleteConnector("hostile-copy");
    }

    private List<String> listKeys(String bucket, String prefix) {
        List<String> keys = new ArrayList<>();
        client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).subscribe(page ->
                page.contents().stream().map(S3Object::key).forEach(keys::add)).join();
        Collections.sort(keys);
        return keys;
    }
}
