package io.tieredarchive.sink.integration;

import io.tieredarchive.sink.ArchiveContents;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;

import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.LongStream;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import static io.tieredarchive.sink.integration.ArchiveFixture.awaitArchived;
import static io.tieredarchive.sink.integration.ArchiveFixture.connectorConfig;
import static io.tieredarchive.sink.integration.ArchiveFixture.partitionDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 2,000 partitions on one task: with {@code batch.bytes=1024} the task's buffer budget is 16 KiB, while an open
 * batch in every partition would hold about 2,000 x 1 KiB. The test reads the task's budget accounting from its
 * plugin metrics over JMX, as an operator would, and asserts that the most bytes ever buffered stayed within the
 * budget, that the budget had to flush batches early to do so, and that every record was still archived.
 */
class ArchiveSinkManyPartitionsIT {

    static final int PARTITIONS = 2000;
    static final int PER_PARTITION = 10;

    static EmbeddedConnectCluster connect;
    static S3ProxyServer s3;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startCluster() {
        s3 = ArchiveFixture.startS3(tmp);
        connect = InProcessConnect.named("archive-many-it").start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        Closing.closeAll(s3, Closing.stopping(connect));
    }

    @Test
    void twoThousandPartitionsOnOneTaskStayWithinTheBufferBudget() throws Exception {
        String topic = "wide";
        KafkaTopics.create(connect.kafka(), topic, PARTITIONS, Map.of());
        Path localDir = tmp.resolve("archive");
        Map<String, String> config = connectorConfig(connect.kafka().bootstrapServers(), localDir, topic, 1, s3);
        config.put("batch.bytes", "1024");
        config.put("segment.bytes", Integer.toString(64 * 1024));
        config.put("segment.ms", "5000");
        // This test is about memory: the 2,000 partitions' segments stay local (the S3 tier is tested elsewhere).
        config.put("commit.mode", "local");
        config.put("tier.upload.delay.ms", Long.toString(86_400_000L));
        connect.configureConnector("wide", config);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("wide", 1, "sink did not start");

        ArchiveFixture.produce(connect.kafka(), topic, PARTITIONS, PER_PARTITION, 5);
        Map<Integer, Long> last = new TreeMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            last.put(p, PER_PARTITION - 1L);
        }
        awaitArchived(localDir, topic, last, Duration.ofSeconds(180));

        Map<String, Number> metrics = taskMetrics("wide");
        System.out.println("Buffer accounting of 2,000 partitions on one task: " + metrics);
        long budget = metrics.get("buffer-budget-bytes").longValue();
        long peak = metrics.get("buffered-bytes-max").longValue();
        assertEquals(16 * 1024, budget, "16 batches of 1 KiB");
        assertTrue(peak <= budget, "buffered " + peak + " bytes, more than the budget of " + budget);
        assertTrue(peak > budget / 2, "the budget was used: " + peak);
        assertTrue(metrics.get("buffer-forced-flushes-total").longValue() > 0, "the budget flushed batches early");
        assertEquals((double) PARTITIONS * PER_PARTITION, metrics.get("records-written-total").doubleValue());
        for (int p = 0; p < PARTITIONS; p += 97) {
            assertEquals(LongStream.range(0, PER_PARTITION).boxed().toList(),
                    ArchiveContents.offsets(partitionDir(localDir, topic, p)), "partition " + p);
        }
        connect.deleteConnector("wide");
    }

    /** The task's plugin metrics, read over JMX ({@code kafka.connect:type=plugins,connector=...,task=0}). */
    private static Map<String, Number> taskMetrics(String connector) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = server.queryNames(
                new ObjectName("kafka.connect:type=plugins,connector=" + connector + ",task=0"), null);
        assertEquals(1, names.size(), "one MBean for the task's plugin metrics: " + names);
        ObjectName name = names.iterator().next();
        Map<String, Number> values = new HashMap<>();
        for (String attribute : List.of("buffer-budget-bytes", "buffered-bytes-max", "buffer-forced-flushes-total",
                "records-written-total")) {
            values.put(attribute, (Number) server.getAttribute(name, attribute));
        }
        return values;
    }
}
