package io.tieredarchive.reliability.crash.integration;

import io.tieredarchive.sink.integration.ArchiveFixture;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Produces to every partition of a topic from a background thread, at a steady rate, until {@link #close()}, so that
 * records keep arriving however long the crashes take. The records vary the way real ones do: null keys, tombstones,
 * 0 to 2 headers (one with a null value), timestamps out of order now and then: the sink's
 * {@link ArchiveFixture#record}.
 */
final class ContinuousProducer implements AutoCloseable {

    private final Thread thread;
    private final AtomicLong acked = new AtomicLong();
    private volatile Throwable failure;
    private volatile boolean stopped;

    /** {@code perPartitionPerSecond} records a second to each of {@code partitions}, random content from {@code seed}. */
    ContinuousProducer(EmbeddedKafkaCluster kafka, String topic, int partitions, int perPartitionPerSecond,
                       long seed) {
        int chunk = Math.max(1, perPartitionPerSecond / 10);
        thread = new Thread(() -> {
            Random random = new Random(seed);
            try (KafkaProducer<byte[], byte[]> producer = kafka.createProducer(Map.of("linger.ms", 5,
                    "acks", "all", "compression.type", "lz4"))) {
                for (int i = 0; !stopped; i++) {
                    for (int p = 0; p < partitions; p++) {
                        producer.send(ArchiveFixture.record(topic, p, i, random), (metadata, e) -> {
                            if (e != null) {
                                failure = e;
                            } else {
                                acked.incrementAndGet();
                            }
                        });
                    }
                    if (i % chunk == chunk - 1) {
                        producer.flush();
                        Thread.sleep(100);
                    }
                }
                producer.flush();
            } catch (Throwable t) {
                failure = t;
            }
        }, "continuous-producer-" + topic);
        thread.start();
    }

    /** Records acknowledged so far. */
    long acked() {
        return acked.get();
    }

    boolean isRunning() {
        return thread.isAlive() && !stopped;
    }

    /** Stops producing, waits for the last acks; fails if producing failed. */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(60_000);
        if (failure != null) {
            throw new AssertionError("The producer failed", failure);
        }
    }
}
