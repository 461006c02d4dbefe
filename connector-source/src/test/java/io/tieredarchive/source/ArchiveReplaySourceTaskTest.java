package io.tieredarchive.source;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentOrigin;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.source.replay.PartitionAssignment;
import io.tieredarchive.source.replay.ReplayRecords;
import io.tieredarchive.source.testing.SourceTaskRuns;
import io.tieredarchive.source.testing.TestArchives;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replay task on S3Proxy: with {@code replay.incarnation=all}, every incarnation of a partition is replayed in
 * order (oldest first), each from its start, under a source partition of its own; a stored offset resumes each
 * where it was.
 */
class ArchiveReplaySourceTaskTest {

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static S3Connection connection;
    static final Incarnation FIRST = new Incarnation("cluster-a", "first-topic-id");
    static final Incarnation SECOND = new Incarnation("cluster-a", "second-topic-id");

    @BeforeAll
    static void archive() throws Exception {
        s3 = S3ProxyServer.startIn(tmp);
        connection = S3TestConnections.create(s3, "replay-task");
        try (RemoteSegmentStore store = RemoteSegmentStore.create(connection)) {
            write(store, FIRST, 50, "first");
            Thread.sleep(5); // the second incarnation is described later: it is the newer
            write(store, SECOND, 30, "second");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(s3);
    }

    private static void write(RemoteSegmentStore store, Incarnation incarnation, int count, String tag)
            throws Exception {
        store.describeIncarnation("orders", incarnation);
        List<ArchivedRecord> records = new ArrayList<>();
        for (long o = 0; o < count; o++) {
            records.add(new ArchivedRecord(o, 1_000 + o, TimestampType.CREATE_TIME, null,
                    (tag + "-" + o).getBytes(StandardCharsets.UTF_8), new org.apache.kafka.common.header.Header[0]));
        }
        TestArchives.archive(store, tmp.resolve("local-" + tag), "orders", 0, records, 20,
                new SegmentWriterOptions("zstd", null, 4096, "w-" + tag,
                        new SegmentOrigin(incarnation.clusterId(), incarnation.topicId(), 0, null)));
    }

    @Test
    void everyIncarnationOfAPartitionIsReplayedInOrderUnderItsOwnSourcePartition() throws Exception {
        List<SourceRecord> replayed = run(Map.of());
        assertEquals(80, replayed.size());
        for (int i = 0; i < 80; i++) {
            SourceRecord r = replayed.get(i);
            boolean first = i < 50;
            String value = new String((byte[]) r.value(), StandardCharsets.UTF_8);
            assertEquals((first ? "first-" : "second-") + (first ? i : i - 50), value);
            assertEquals((first ? FIRST : SECOND).id(), r.sourcePartition().get(ReplayRecords.PARTITION_INCARNATION));
            assertEquals("orders", r.topic(), "the default topic format keeps the name");
        }
    }

    @Test
    void aStoredOffsetResumesEachIncarnationWhereItWas() throws Exception {
        Map<Map<String, Object>, Map<String, Object>> stored = new HashMap<>();
        stored.put(ReplayRecords.sourcePartition(new ArchivePartition("orders", FIRST, 0)),
                ReplayRecords.sourceOffset(50));
        stored.put(ReplayRecords.sourcePartition(new ArchivePartition("orders", SECOND, 0)),
                ReplayRecords.sourceOffset(10));
        List<SourceRecord> replayed = run(stored);
        assertEquals(20, replayed.size(), "the first incarnation is done, the second resumes at offset 10");
        assertTrue(replayed.stream().allMatch(r -> new String((byte[]) r.value(), StandardCharsets.UTF_8)
                .startsWith("second-")));
    }

    /** Runs a task over orders-0 (every incarnation) until it has nothing more; returns what it polled. */
    private static List<SourceRecord> run(Map<Map<String, Object>, Map<String, Object>> stored) throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put("name", "replay-task-test");
        props.putAll(S3TestConnections.connectorKeys("", s3, connection.bucket(), ""));
        props.put("replay.topics", "orders");
        props.put("replay.partitioning", "key");
        props.put("replay.incarnation", "all");
        props.put(ArchiveReplaySourceConfig.TASK_PARTITIONS, PartitionAssignment.encode(List.of(
                new ArchivePartition("orders", FIRST, 0), new ArchivePartition("orders", SECOND, 0))));
        ArchiveReplaySourceTask task = new ArchiveReplaySourceTask();
        try (Metrics metrics = new Metrics()) {
            task.initialize(SourceTaskRuns.context(new PluginMetricsImpl(metrics, Map.of()), stored));
            task.start(props);
            List<SourceRecord> all = SourceTaskRuns.pollUntilIdle(task);
            task.stop();
            return all;
        }
    }
}
