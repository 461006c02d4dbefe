package io.tieredarchive.sink;

import io.tieredarchive.tier.remote.ArchivePartition;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

/**
 * What the task unit tests share: a task on real segment files under a temporary {@code local.dir}, with a real
 * tier ({@link FileSystemTiers}) on a temporary directory used as a bucket, a test clock, and record factories.
 */
abstract class SinkTaskTestBase {

    static final String TOPIC = "events";
    static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    static final long SEGMENT_MS = 10_000;

    @TempDir
    Path localDir;
    @TempDir
    Path bucket;

    final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    final TestIdentities identities = new TestIdentities();
    /** How tasks started from now on fsync new directory entries. */
    PartitionArchive.DirectorySync directorySync = io.tieredarchive.tier.LocalTier::fsyncDirectory;
    final List<ArchiveSinkTask> tasks = new ArrayList<>();
    FileSystemTiers tiers;

    @AfterEach
    void stopTasks() {
        tasks.forEach(ArchiveSinkTask::stop);
        if (tiers != null) {
            tiers.close();
        }
    }

    ArchiveSinkTask start(FakeSinkTaskContext context, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(Map.of(
                "name", "unit", "s3.bucket", "b", "local.dir", localDir.toString(),
                "kafka.bootstrap.servers", "127.0.0.1:9",
                "segment.bytes", Integer.toString(64 * 1024), "batch.bytes", "1024",
                "segment.ms", Long.toString(SEGMENT_MS), "compression.type", "zstd", "commit.mode", "local"));
        props.putAll(extra);
        if (tiers == null) {
            tiers = new FileSystemTiers(bucket, clock::get);
        }
        ArchiveSinkTask task = new ArchiveSinkTask(clock::get, new ArchiveSinkTask.Collaborators(
                config -> onTiered -> durability(config, onTiered), config -> identities, directorySync));
        task.initialize(context);
        task.start(props);
        tasks.add(task);
        return task;
    }

    ArchiveSinkTask start(FakeSinkTaskContext context) {
        return start(context, Map.of());
    }

    static SinkRecord record(TopicPartition tp, long offset) {
        ConnectHeaders headers = new ConnectHeaders();
        headers.add("h", ("header-" + offset).getBytes(StandardCharsets.UTF_8), Schema.OPTIONAL_BYTES_SCHEMA);
        return new SinkRecord(tp.topic(), tp.partition(), Schema.OPTIONAL_BYTES_SCHEMA,
                ("key-" + offset).getBytes(StandardCharsets.UTF_8), Schema.OPTIONAL_BYTES_SCHEMA,
                ("value-" + offset + "-" + "x".repeat((int) (offset % 50))).getBytes(StandardCharsets.UTF_8),
                offset, 1_600_000_000_000L + offset, TimestampType.CREATE_TIME, headers);
    }

    static List<SinkRecord> records(TopicPartition tp, long from, long toExclusive) {
        return LongStream.range(from, toExclusive).mapToObj(o -> record(tp, o)).toList();
    }

    Path dir(TopicPartition tp) {
        return PartitionArchive.directory(localDir, tp);
    }

    static Map<TopicPartition, OffsetAndMetadata> consumed(TopicPartition tp, long next) {
        return Map.of(tp, new OffsetAndMetadata(next));
    }

    /** What the task returns from preCommit for offset {@code next}. */
    static OffsetAndMetadata committed(long next) {
        return new OffsetAndMetadata(next, ArchiveSinkTask.COMMIT_METADATA);
    }

    /** The archived partition of {@code tp}'s current incarnation. */
    ArchivePartition archived(TopicPartition tp) {
        return new ArchivePartition(tp.topic(), identities.of(tp.topic()), tp.partition());
    }

    void expire() {
        clock.addAndGet(SEGMENT_MS);
    }

    /** The task's durability: a {@link TieredDurability} on {@link #tiers}. */
    Durability durability(ArchiveSinkConfig config, Runnable onTiered) {
        return tiers.durability(config, onTiered);
    }
}
