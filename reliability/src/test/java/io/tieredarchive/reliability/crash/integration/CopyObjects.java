package io.tieredarchive.reliability.crash.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import static io.tieredarchive.source.integration.CopyTestSupport.MIB;
import static io.tieredarchive.source.integration.CopyTestSupport.content;
import static io.tieredarchive.source.integration.CopyTestSupport.md5;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The objects of the copy crash test: seeding the source, counting events, checking the destination. Contents and
 * MD5s are the source's {@link io.tieredarchive.source.integration.CopyTestSupport}'s.
 */
final class CopyObjects {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CopyObjects() {
    }

    /** An object put into the source: its key, size and MD5. */
    record Seeded(String key, long size, String md5) {
    }

    /**
     * {@code small} objects of 0 to 16 KiB under {@code prefix/small/}, and {@code large} objects of 6 MiB early
     * among them in listing order (multipart at a 5 MiB threshold), so that they are in flight at the first kills.
     */
    static Map<String, Long> sizes(String prefix, int small, int large) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        Random random = new Random(7);
        for (int i = 0; i < small; i++) {
            sizes.put(String.format("%s/small/%05d.bin", prefix, i), (long) random.nextInt(16 * 1024));
        }
        for (int i = 1; i <= large; i++) {
            int at = i * i * 4;
            sizes.put(String.format("%s/small/%05dx-large.bin", prefix, at), 6 * MIB + at);
        }
        return sizes;
    }

    /** Puts each key with its size, 16 at a time; returns what was put. */
    static List<Seeded> seed(S3AsyncClient client, String bucket, Map<String, Long> sizes) {
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<?>> puts = new ArrayList<>();
        List<Seeded> seeded = new ArrayList<>();
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            byte[] bytes = content(e.getKey(), e.getValue());
            seeded.add(new Seeded(e.getKey(), bytes.length, md5(bytes)));
            inFlight.acquireUninterruptibly();
            puts.add(client.putObject(b -> b.bucket(bucket).key(e.getKey()), AsyncRequestBody.fromBytes(bytes))
                    .whenComplete((r, t) -> inFlight.release()));
        }
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
        return seeded;
    }

    /**
     * Reads the events there are now (read-committed), counting them per object key; every event must say
     * {@code copied}.
     */
    static void drainEvents(KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> counts) throws Exception {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            JsonNode value = JSON.readTree(r.value());
            assertEquals("copied", value.path("status").asText(), key + ": " + value);
            counts.merge(key, 1, Integer::sum);
        }
    }

    /** Every seeded object is at the destination, under the destination prefix, with the same bytes (MD5). */
    static void assertCopied(S3AsyncClient client, String bucket, String sourcePrefix, String destinationPrefix,
                             List<Seeded> objects) {
        Semaphore inFlight = new Semaphore(8);
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (Seeded o : objects) {
            String key = destinationPrefix + o.key().substring(sourcePrefix.length());
            inFlight.acquireUninterruptibly();
            checks.add(client.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes())
                    .whenComplete((r, t) -> inFlight.release())
                    .thenAccept(bytes -> assertEquals(o.md5(), md5(bytes.asByteArray()), "bytes of " + key)));
        }
        CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).join();
    }
}
