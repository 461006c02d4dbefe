package io.tieredarchive.source;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.config.RestoreCacheConfig;
import io.tieredarchive.config.VersionInfo;
import io.tieredarchive.failure.Backoff;
import io.tieredarchive.failure.FailureKind;
import io.tieredarchive.failure.Failures;
import io.tieredarchive.metrics.TaskMetrics;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.source.replay.OffsetSyncRecorder;
import io.tieredarchive.source.replay.PartitionAssignment;
import io.tieredarchive.source.replay.PartitionReplay;
import io.tieredarchive.source.replay.ReplayBatch;
import io.tieredarchive.source.replay.ReplayFailures;
import io.tieredarchive.source.replay.ReplayMetrics;
import io.tieredarchive.source.replay.ReplayRecords;
import io.tieredarchive.source.replay.ReplaySettings;
import io.tieredarchive.source.replay.TargetTopicIds;
import io.tieredarchive.source.replay.TopicFormat;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.read.RestoreCache;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Replays its share of the archived partitions: each poll fills one batch (up to {@code replay.batch.records} and
 * {@code replay.batch.bytes}), partition after partition, starting with a different partition each time. The
 * reader fetches each segment's bytes in large chunks ahead of the records, so no record costs an S3 request.
 * Each record carries its source offset (the next original offset), from which a restarted task resumes.
 *
 * <p>Failures are judged by {@link ReplayFailures}, once the records read before them are handed on: a transient
 * one backs off and throws
 * {@link RetriableException} (Connect polls again); bad data fails the task naming the object and offset, unless
 * {@code errors.tolerance=all} skips the segment; anything else fails the task with what to fix.
 *
 * <p>Where each record landed in the target ({@link #commitRecord}) is recorded as offset syncs
 * ({@link OffsetSyncRecorder}), written at each {@link #commit}, from which consumer groups are restored exactly.
 */
public class ArchiveReplaySourceTask extends SourceTask {

    private static final Logger log = LoggerFactory.getLogger(ArchiveReplaySourceTask.class);
    /** How long a poll with nothing to do waits, at most. */
    private static final long IDLE_MS = 1_000;
    private static final int READ_AHEAD_CHUNKS = 4;

    private final CountDownLatch stopping = new CountDownLatch(1);
    private ArchiveReplaySourceConfig config;
    private RemoteSegmentStore store;
    private ArchiveReader reader;
    private RestoreCache restoreCache;
    private ReplayMetrics metrics;
    private volatile List<PartitionReplay> partitions = List.of();
    private OffsetSyncRecorder offsetSyncs;
    private TargetTopicIds targetTopicIds;
    private int rotation;
    /** Transient read failures in a row ({@link Backoff#REPLAY_READ}); a batch read starts it over. */
    private final Backoff.Tracker backoff = Backoff.REPLAY_READ.tracker(System::currentTimeMillis);
    /** After a transient failure, polls wait (in short sleeps, so the task stops promptly) until then. */
    private long retryAtMs;
    private boolean completeLogged;

    @Override
    public String version() {
        return VersionInfo.version();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new ArchiveReplaySourceConfig(props);
        List<ArchivePartition> assigned = PartitionAssignment.decode(
                props.get(ArchiveReplaySourceConfig.TASK_PARTITIONS));
        store = RemoteSegmentStore.create(config.connection());
        restoreCache = RestoreCacheConfig.dir(config)
                .map(dir -> new RestoreCache(dir, RestoreCacheConfig.bytes(config)))   // shared per directory
                .orElse(null);
        reader = new ArchiveReader(store, null, restoreCache, new ArchiveReader.Options(
                ArchiveReader.Options.DEFAULT.chunkBytes(), READ_AHEAD_CHUNKS, config.connection().maxConcurrency(),
                config.followIntervalMs()));
        int taskIndex = Integer.parseInt(props.getOrDefault(ArchiveReplaySourceConfig.TASK_INDEX, "0"));
        metrics = new ReplayMetrics(TaskMetrics.forSourceTask(context, props.get("name"), taskIndex),
                sensorPrefix(props),
                new ReplayMetrics.Gauges(this::lag, this::partitionsDone, this::segmentsRead,
                        () -> reader.stats().bytesFetched()));
        List<Map<String, Object>> sourcePartitions = assigned.stream().map(ReplayRecords::sourcePartition).toList();
        Map<Map<String, Object>, List<Map<String, Object>>> stored =
                SourcePartitions.storedOffsets(context.offsetStorageReader(), sourcePartitions);
        ReplaySettings settings = new ReplaySettings(config.range(), config.follow(), config.followIntervalMs(),
                config.toleratesErrors(), config.holeTimeoutMs());
        TopicFormat format = config.topicFormat();
        List<PartitionReplay> replays = new ArrayList<>(assigned.size());
        for (int i = 0; i < assigned.size(); i++) {
            ArchivePartition p = assigned.get(i);
            // Incarnations of one partition come oldest first; all but the last are replayed to their end only.
            boolean last = i == assigned.size() - 1 || !sameArchivedPartition(p, assigned.get(i + 1));
            Long next = ReplayRecords.nextOffset(stored.get(ReplayRecords.sourcePartition(p)));
            replays.add(new PartitionReplay(p, format.target(p.topic()), config.preservePartitions(), next,
                    last ? settings : settings.notFollowing(), reader, metrics));
            log.info("Replaying {} into {} from {}", p, format.target(p.topic()),
                    next != null ? "stored offset " + next : config.range().start(null));
        }
        partitions = replays;
        offsetSyncs = offsetSyncs(props, assigned);
    }

    /** The recorder of this task's offset syncs, or null when the config records none. */
    private OffsetSyncRecorder offsetSyncs(Map<String, String> props, List<ArchivePartition> assigned) {
        if (config.offsetSyncsTopic().isEmpty() || assigned.isEmpty()) {
            return null;
        }
        String writer = props.getOrDefault("name", "archive-replay") + "-"
                + props.getOrDefault(ArchiveReplaySourceConfig.TASK_INDEX, "0");
        Map<String, Object> producerProps = new HashMap<>(config.adminConfig());
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "tiered-archive-offset-syncs-" + writer);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        targetTopicIds = new TargetTopicIds(() -> Admin.create(config.adminConfig()));
        log.info("Recording offset syncs of {} partitions in {}", assigned.size(), config.offsetSyncsTopic().get());
        return new OffsetSyncRecorder(new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                new ByteArraySerializer()), config.offsetSyncsTopic().get(), writer, assigned, targetTopicIds::id,
                System::currentTimeMillis);
    }

    /** A record is in the target for good (with exactly-once: its transaction committed): record where. */
    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        if (offsetSyncs != null) {
            offsetSyncs.recorded(record, metadata);
        }
    }

    /** Connect committed offsets (with exactly-once: after every transaction): write the new offset syncs. */
    @Override
    public void commit() {
        if (offsetSyncs != null) {
            try {
                offsetSyncs.flush();
            } catch (RuntimeException e) {
                log.warn("Could not write offset syncs now, trying again at the next commit: {}", e.toString());
            }
        }
    }

    private static String sensorPrefix(Map<String, String> props) {
        return "archive-replay-" + props.getOrDefault("name", "") + "-"
                + props.getOrDefault(ArchiveReplaySourceConfig.TASK_INDEX, "0") + "-";
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        List<PartitionReplay> all = partitions;
        if (stopping.getCount() == 0 || all.isEmpty()) {
            idle(IDLE_MS);
            return null;
        }
        long now = System.currentTimeMillis();
        if (now < retryAtMs) {
            idle(Math.min(IDLE_MS, retryAtMs - now));
            return null;
        }
        ReplayBatch batch = new ReplayBatch(config.batchRecords(), config.batchBytes());
        for (int i = 0; i < all.size() && !batch.isFull(); i++) {
            PartitionReplay p = all.get((rotation + i) % all.size());
            if (waitsForOlderIncarnation(all, p)) {
                continue;
            }
            try {
                p.fill(batch, now);
            } catch (SegmentException e) {
                if (batch.isEmpty()) {
                    throw toConnectException(p, e, now);
                }
                // Hand on the good records first; the partition is where it was, so the next poll meets it again.
                log.warn("Stopped reading {} after {} records, handing them on first: {}", p.position(),
                        batch.size(), e.getMessage());
                break;
            }
        }
        rotation = (rotation + 1) % all.size();
        if (!batch.isEmpty()) {
            backoff.reset();
            metrics.replayed(batch.size(), batch.bytes());
            log.trace("Replaying {} records ({} bytes)", batch.size(), batch.bytes());
            return batch.records();
        }
        waitForWork(all, now);
        return null;
    }

    private static boolean sameArchivedPartition(ArchivePartition a, ArchivePartition b) {
        return a.topic().equals(b.topic()) && a.partition() == b.partition();
    }

    /** True while an older incarnation of the same partition is not done: incarnations are replayed in order. */
    private static boolean waitsForOlderIncarnation(List<PartitionReplay> all, PartitionReplay p) {
        for (PartitionReplay other : all) {
            if (other == p) {
                return false;
            }
            if (sameArchivedPartition(other.archived(), p.archived()) && other.state() != PartitionReplay.State.DONE) {
                return true;
            }
        }
        return false;
    }

    private RuntimeException toConnectException(PartitionReplay p, SegmentException e, long now) {
        FailureKind kind = Failures.kind(e);
        switch (ReplayFailures.kind(e)) {
            case TRANSIENT -> {
                long backoffMs = backoff.failed();
                log.warn("Cannot read the archive for {}; retrying in {} ms: {}", p.position(), backoffMs,
                        e.getMessage());
                retryAtMs = now + backoffMs;
                return Failures.toConnect(kind, "Cannot read the archive for " + p.position() + ": "
                        + e.getMessage(), e);
            }
            case BAD_SEGMENT -> {
                return Failures.toConnect(kind, "Bad archive data while replaying " + p.position() + ": "
                        + e.getMessage() + ". No record of it was replayed. Restore the object from another copy, "
                        + "or set errors.tolerance=all to skip the rest of that segment", e);
            }
            default -> {
                if (kind == FailureKind.BUCKET_MISSING) {
                    return Failures.toConnect(kind, Failures.bucketMissing(config.connection().bucket(), null,
                            "s3.bucket") + " (replaying " + p.position() + ")", e);
                }
                return Failures.toConnect(kind, "Cannot replay " + p.position() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Sleeps until a waiting partition looks at the archive again; says once when every partition is done. */
    private void waitForWork(List<PartitionReplay> all, long now) throws InterruptedException {
        boolean allDone = all.stream().allMatch(p -> p.state() == PartitionReplay.State.DONE);
        if (allDone) {
            if (!completeLogged) {
                completeLogged = true;
                log.info("Replay complete: all {} partitions of this task reached the end of their range or of "
                        + "the archive ({})", all.size(), nextOffsets(all));
            }
            idle(IDLE_MS);
            return;
        }
        long wake = all.stream().filter(p -> p.state() == PartitionReplay.State.WAITING)
                .mapToLong(PartitionReplay::wakeAtMs).min().orElse(now);
        idle(Math.max(1, Math.min(IDLE_MS, wake - now)));
    }

    private static String nextOffsets(Collection<PartitionReplay> all) {
        StringBuilder sb = new StringBuilder();
        for (PartitionReplay p : all) {
            sb.append(sb.isEmpty() ? "" : ", ").append(p.archived()).append(" next offset ").append(p.nextOffset());
        }
        return sb.toString();
    }

    private void idle(long ms) throws InterruptedException {
        stopping.await(ms, TimeUnit.MILLISECONDS);
    }

    private long lag() {
        return partitions.stream().mapToLong(PartitionReplay::lag).sum();
    }

    private long partitionsDone() {
        return partitions.stream().filter(p -> p.state() == PartitionReplay.State.DONE).count();
    }

    private long segmentsRead() {
        ArchiveReader.Stats s = reader.stats();
        return s.localSegments() + s.cachedSegments() + s.downloadedSegments() + s.rangedSegments();
    }

    @Override
    public void stop() {
        stopping.countDown();
        if (offsetSyncs != null) {
            offsetSyncs.close(); // Connect stops a task after its last commit, so the last syncs are written
        }
        if (targetTopicIds != null) {
            targetTopicIds.close();
        }
        partitions.forEach(PartitionReplay::close);
        if (reader != null) {
            reader.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (restoreCache != null) {
            restoreCache.close();
        }
        if (store != null) {
            // Closing the S3 client may wait seconds for its event loop when reads were cut off; the worker should
            // not wait for that (a slow stop delays the rebalance that restarts this task elsewhere).
            RemoteSegmentStore closing = store;
            Thread closer = new Thread(closing::close, "archive-replay-close");
            closer.setDaemon(true);
            closer.start();
        }
        log.info("Replay task stopped");
    }
}
