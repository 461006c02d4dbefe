package io.tieredarchive.source;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.source.testing.SourceTaskRuns;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The copy task on S3Proxy, driven as a worker drives it: every object of its shard copied with the same bytes and
 * one event each, in listing order, whose offset is the resume point; a stored offset resumes after it; a missing
 * destination bucket stops the task naming it.
 */
class BucketCopySourceTaskTest {

    private static final String SOURCE = "copy-task-source";
    private static final String DESTINATION = "copy-task-destination";
    /** The source prefix ({@code source.s3.prefix=data/}) as the task's source partition names it. */
    private static final String PREFIX = "data";
    private static final List<String> KEYS = IntStream.range(0, 20).mapToObj(i -> String.format("data/obj-%03d", i))
            .toList();

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static S3AsyncClient client;

    @BeforeAll
    static void seed() {
        s3 = S3ProxyServer.startIn(tmp);
        S3Connection source = S3TestConnections.create(s3, SOURCE);
        S3TestConnections.create(s3, DESTINATION);
        client = S3ClientFactory.asyncClient(source);
        for (String key : KEYS) {
            put(SOURCE, key, body(key));
        }
        put(SOURCE, "elsewhere/not-copied", "outside the prefix".getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(client, s3);
    }

    private static byte[] body(String key) {
        return ("the bytes of " + key + " ").repeat(1 + key.length() % 7).getBytes(StandardCharsets.UTF_8);
    }

    private static void put(String bucket, String key, byte[] bytes) {
        client.putObject(b -> b.bucket(bucket).key(key), AsyncRequestBody.fromBytes(bytes)).join();
    }

    private static byte[] get(String bucket, String key) {
        return client.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes()).join()
                .asByteArray();
    }

    private static Map<String, String> config(String destinationPrefix, int shard, int shards) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "copy-task-test");
        props.putAll(S3TestConnections.connectorKeys("source.", s3, SOURCE, "data/"));
        props.put("source.s3.retry.max.attempts", "1");
        props.put("destination.s3.bucket", DESTINATION);
        props.put("destination.s3.prefix", destinationPrefix);
        props.put("copy.events.topic", "copy-events");
        props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        props.put("copy.task.shard", Integer.toString(shard));
        props.put("copy.task.shards", Integer.toString(shards));
        return props;
    }

    /** Runs a task until it has nothing more to report; returns its events. */
    private static List<SourceRecord> run(Map<String, String> props,
                                          Map<Map<String, Object>, Map<String, Object>> stored) throws Exception {
        BucketCopySourceTask task = new BucketCopySourceTask();
        try (Metrics metrics = new Metrics()) {
            task.initialize(SourceTaskRuns.context(new PluginMetricsImpl(metrics, Map.of()), stored));
            task.start(props);
            try {
                return SourceTaskRuns.pollUntilIdle(task);
            } finally {
                task.stop();
            }
        }
    }

    private static String sourceKey(SourceRecord event) {
        return (String) event.sourceOffset().get("after");
    }

    @Test
    void everyObjectOfThePrefixIsCopiedOnceWithOneEventEachInListingOrder() throws Exception {
        List<SourceRecord> events = run(config("copied/", 0, 1), Map.of());

        assertEquals(KEYS, events.stream().map(BucketCopySourceTaskTest::sourceKey).toList(),
                "one event per object, in listing order; each offset is the key up to which all is copied");
        for (SourceRecord event : events) {
            String key = sourceKey(event);
            assertEquals(CopyEvents.partition(SOURCE, PREFIX, 0, 1), event.sourcePartition());
            assertEquals("copy-events", event.topic());
            Struct value = (Struct) event.value();
            assertEquals("s3://" + SOURCE + "/" + key, value.getString("source"));
            assertEquals("s3://" + DESTINATION + "/copied/" + key.substring("data/".length()),
                    value.getString("destination"));
            assertEquals((long) body(key).length, value.getInt64("size"));
            assertArrayEquals(body(key), get(DESTINATION, "copied/" + key.substring("data/".length())),
                    "the bytes of " + key);
        }
        assertTrue(client.listObjectsV2(b -> b.bucket(DESTINATION).prefix("copied/")).join().contents().stream()
                .noneMatch(o -> o.key().contains("not-copied")), "nothing outside the source prefix");
    }

    @Test
    void aStoredOffsetResumesAfterItsKey() throws Exception {
        Map<Map<String, Object>, Map<String, Object>> stored = Map.of(
                new HashMap<>(CopyEvents.partition(SOURCE, PREFIX, 0, 1)), Map.of("after", KEYS.get(11)));
        List<SourceRecord> events = run(config("resumed/", 0, 1), stored);

        assertEquals(KEYS.subList(12, KEYS.size()), events.stream().map(BucketCopySourceTaskTest::sourceKey).toList());
        assertTrue(client.listObjectsV2(b -> b.bucket(DESTINATION).prefix("resumed/obj-000")).join().contents()
                .isEmpty(), "the objects before the resume point are not copied again");
    }

    @Test
    void shardsSplitTheObjectsBetweenThem() throws Exception {
        List<String> first = run(config("sharded/", 0, 2), Map.of()).stream()
                .map(BucketCopySourceTaskTest::sourceKey).toList();
        List<String> second = run(config("sharded/", 1, 2), Map.of()).stream()
                .map(BucketCopySourceTaskTest::sourceKey).toList();

        assertFalse(first.isEmpty());
        assertFalse(second.isEmpty());
        Set<String> both = new HashSet<>(first);
        both.retainAll(second);
        assertEquals(Set.of(), both, "no object is copied by both shards");
        Set<String> all = new HashSet<>(first);
        all.addAll(second);
        assertEquals(new HashSet<>(KEYS), all, "every object by one of them");
    }

    @Test
    void aMissingDestinationBucketStopsTheTaskNamingIt() throws Exception {
        Map<String, String> props = config("", 0, 1);
        props.put("destination.s3.bucket", "no-such-destination");
        ConnectException e = assertThrows(ConnectException.class, () -> run(props, Map.of()));
        assertFalse(e instanceof RetriableException, "a missing bucket is not retried: " + e);
        assertTrue(e.getMessage().contains("no-such-destination"), e.getMessage());
    }
}
