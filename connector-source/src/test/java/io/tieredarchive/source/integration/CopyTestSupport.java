package io.tieredarchive.source.integration;

import io.tieredarchive.testing.ConnectorConfigs;
import io.tieredarchive.testing.S3TestConnections;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.S3ProxyServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeding buckets, configuring the copy connector, reading its events and checking copies, for the ITs (and, through
 * this module's test-jar, the reliability suite's copy crash test).
 */
public final class CopyTestSupport {

    public static final long MIB = 1024L * 1024;
    static final ObjectMapper JSON = new ObjectMapper();

    private CopyTestSupport() {
    }

    /** An object put into the source: its key, size, MD5 and what the copy must carry over. */
    record Seeded(String key, long size, String md5, String contentType, Map<String, String> metadata) {
    }

    /** One event of copy.events.topic. */
    record Event(String key, JsonNode value) {
        String status() {
            return value.get("status").asText();
        }

        String mode() {
            return value.get("mode").isNull() ? null : value.get("mode").asText();
        }
    }

    static S3Connection connection(S3ProxyServer server, String bucket) {
        return new S3Connection(bucket, "", "us-east-1", server.endpoint(), true, server.accessKey(),
                new Password(server.secretKey()), S3Connection.ChecksumMode.WHEN_SUPPORTED, null,
                S3Connection.Sse.NONE, null, 5 * MIB, 32, 3);
    }

    /** A second S3Proxy with its own keys, which the first one's keys do not open. */
    static S3ProxyServer startOtherStore(java.nio.file.Path parent) throws java.io.IOException {
        S3ProxyServer server = new S3ProxyServer(java.nio.file.Files.createTempDirectory(parent, "other"),
                "other-access", "other-secret");
        server.start();
        return server;
    }

    /** A client of {@code server}, with {@code buckets} created there. */
    static S3AsyncClient client(S3ProxyServer server, String... buckets) {
        S3AsyncClient client = S3ClientFactory.asyncClient(connection(server, "any"));
        for (String bucket : buckets) {
            client.createBucket(b -> b.bucket(bucket)).join();
        }
        return client;
    }

    /** Deterministic bytes for a key: the same key and size always give the same content. */
    public static byte[] content(String key, long size) {
        byte[] bytes = new byte[Math.toIntExact(size)];
        new Random(key.hashCode() * 31L + size).nextBytes(bytes);
        return bytes;
    }

    public static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Puts each key with its size (content from {@link #content}), 32 at a time; returns what was put. */
    static List<Seeded> seed(S3AsyncClient client, String bucket, Map<String, Long> sizes) throws Exception {
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<?>> puts = new ArrayList<>();
        List<Seeded> seeded = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            String key = e.getKey();
            byte[] bytes = content(key, e.getValue());
            String contentType = "application/x-test-" + (i % 7);
            Map<String, String> metadata = Map.of("origin", "seed-" + i++,
                    "kind", e.getValue() > MIB ? "large" : "small");
            seeded.add(new Seeded(key, bytes.length, md5(bytes), contentType, metadata));
            inFlight.acquire();
            puts.add(client.putObject(b -> b.bucket(bucket).key(key).contentType(contentType).metadata(metadata),
                    AsyncRequestBody.fromBytes(bytes)).whenComplete((r, t) -> inFlight.release()));
        }
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
        return seeded;
    }

    /** Small objects {@code prefix/small/NNNNN.bin} of 0 to 16 KiB, plus a few hostile-looking but valid keys. */
    static Map<String, Long> smallObjects(String prefix, int count) {
        Map<String, Long> sizes = new java.util.LinkedHashMap<>();
        Random random = new Random(7);
        sizes.put(prefix + "/ünïcödé/日本語のキー.bin", 1234L);
        sizes.put(prefix + "/spaces and+plus=%20/x.bin", 99L);
        // 900 bytes, in path segments that a file-system backed store can hold (255 bytes each at most).
        sizes.put(prefix + "/long/" + String.join("/", java.util.Collections.nCopies(8, "k".repeat(110))) + ".bin",
                4321L);
        sizes.put(prefix + "/empty.bin", 0L);
        while (sizes.size() < count) {
            sizes.put(String.format("%s/small/%05d.bin", prefix, sizes.size()), (long) random.nextInt(16 * 1024));
        }
        return sizes;
    }

    /** The connector's base config: source and destination on the given servers, JSON events. */
    static Map<String, String> connectorConfig(String topic, S3ProxyServer source, String sourceBucket,
                                               String sourcePrefix, S3ProxyServer destination,
                                               String destinationBucket, String destinationPrefix) {
        // Connect creates the events topic (KIP-158); the embedded broker does not auto-create topics.
        Map<String, String> config = ConnectorConfigs.withTopicCreation(ConnectorConfigs.bucketCopy(topic, 1));
        config.putAll(S3TestConnections.connectorKeys("source.", source, sourceBucket, sourcePrefix));
        config.put("destination.s3.bucket", destinationBucket);
        config.put("destination.s3.prefix", destinationPrefix);
        if (destination != source) {
            config.put("destination.s3.endpoint", destination.endpoint());
            config.put("destination.s3.access.key.id", destination.accessKey());
            config.put("destination.s3.secret.access.key", destination.secretKey());
        }
        return config;
    }

    /** A Connect cluster of one worker for the copy's tests, which flushes source offsets every 2 s. */
    static InProcessConnect connect(String name) {
        return InProcessConnect.named(name).workerProp("offset.flush.interval.ms", "2000");
    }

    /** Waits until {@code count} events are in {@code topic}, then reads every event there is. */
    static List<Event> awaitEvents(EmbeddedConnectCluster connect, String topic, int count, long timeoutMs)
            throws Exception {
        connect.kafka().consume(count, timeoutMs, topic);
        List<Event> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : connect.kafka().consumeAll(30_000, topic)) {
            events.add(new Event(new String(r.key(), StandardCharsets.UTF_8), JSON.readTree(r.value())));
        }
        return events;
    }

    /** Events by key; fails when a key has more than one. */
    static Map<String, Event> byKey(List<Event> events) {
        Map<String, Event> byKey = new HashMap<>();
        for (Event e : events) {
            Event previous = byKey.put(e.key(), e);
            assertTrue(previous == null, "Two events for " + e.key() + ": " + previous + " and " + e);
        }
        return byKey;
    }

    /** Every seeded object is at the destination with the same bytes, content type and user metadata. */
    static void assertCopied(S3AsyncClient destination, String bucket, String sourcePrefix, String destinationPrefix,
                             List<Seeded> objects) {
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (Seeded o : objects) {
            String key = destinationPrefix + o.key().substring(sourcePrefix.length());
            inFlight.acquireUninterruptibly();
            checks.add(destination.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes())
                    .whenComplete((r, t) -> inFlight.release())
                    .thenAccept(bytes -> assertSame(o, key, bytes)));
        }
        CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).join();
    }

    private static void assertSame(Seeded o, String key, ResponseBytes<GetObjectResponse> bytes) {
        assertEquals(o.md5(), md5(bytes.asByteArray()), "bytes of " + key);
        assertEquals(o.contentType(), bytes.response().contentType(), "content type of " + key);
        assertEquals(o.metadata(), bytes.response().metadata(), "metadata of " + key);
    }

    /** A plugin metric of the connector's tasks (JMX), summed over its tasks. */
    static double metric(String connector, String name) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        double sum = 0;
        int tasks = 0;
        for (ObjectName on : server.queryNames(new ObjectName("kafka.connect:type=plugins,*"), null)) {
            if (connector.equals(on.getKeyProperty("connector")) && on.getKeyProperty("task") != null) {
                sum += ((Number) server.getAttribute(on, name)).doubleValue();
                tasks++;
            }
        }
        if (tasks == 0) {
            throw new AssertionError("No plugin metrics for " + connector + " among "
                    + server.queryNames(new ObjectName("kafka.connect:*"), null));
        }
        return sum;
    }
}
