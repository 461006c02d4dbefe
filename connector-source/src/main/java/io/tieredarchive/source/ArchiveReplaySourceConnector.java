package io.tieredarchive.source;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.config.ConnectorValidation;
import io.tieredarchive.dr.ArchiveSnapshots;
import io.tieredarchive.dr.TopicConfigSnapshot;
import io.tieredarchive.failure.FailureKind;
import io.tieredarchive.failure.Failures;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.source.replay.PartitionAssignment;
import io.tieredarchive.source.replay.ReplayDiscovery;
import io.tieredarchive.source.replay.ReplayFailures;
import io.tieredarchive.source.replay.ReplayRecords;
import io.tieredarchive.source.replay.TargetTopics;
import io.tieredarchive.source.replay.TopicFormat;
import io.tieredarchive.tier.remote.ArchiveCatalog;
import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Replays archived topics into Kafka topics. Lists the archived partitions of the chosen topics, checks (and, when
 * allowed, creates) the target topics, and deals the partitions to {@code tasks.max} tasks. With
 * {@code replay.follow=true} it looks for newly archived partitions every {@code replay.follow.interval.ms} and
 * hands them out. Exactly-once source delivery (KIP-618) is supported: each task's source offsets are the
 * original offsets of its partitions, committed in the same transaction as the records.
 */
public class ArchiveReplaySourceConnector extends TransactionalSourceConnector {

    private static final Logger log = LoggerFactory.getLogger(ArchiveReplaySourceConnector.class);
    /** How soon the archive is listed again after a transient failure at start. */
    private static final long RETRY_MS = 10_000;

    private Map<String, String> props;
    private ArchiveReplaySourceConfig config;
    private RemoteSegmentStore store;
    private ReplayDiscovery discovery;
    private ScheduledExecutorService monitor;
    private volatile ReplayDiscovery.Result current;

    @Override
    public void start(Map<String, String> props) {
        ArchiveReplaySourceConfig parsed = new ArchiveReplaySourceConfig(props);
        ConnectorValidation.throwFirst(parsed.crossFieldErrors(), props);
        this.props = Map.copyOf(props);
        this.config = parsed;
        this.store = RemoteSegmentStore.create(config.connection());
        this.discovery = new ReplayDiscovery(store.catalog(), store.location(), config.topics(),
                config.topicsRegex(), config.incarnations(), config.follow(), config.toleratesErrors());
        log.info("Replaying {} ({} incarnation) from {} into {}, partitioning {}, range {}{}",
                config.topics().isEmpty() ? "topics matching " + config.topicsRegex().orElseThrow() : config.topics(),
                config.incarnations(), store.location(), config.topicFormat(),
                config.preservePartitions() ? "preserve" : "key", config.range(),
                config.follow() ? ", following" : "");
        boolean known = refresh(false);
        if (config.follow() || !known) {
            monitor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "archive-replay-monitor");
                t.setDaemon(true);
                return t;
            });
            long interval = known ? config.followIntervalMs() : Math.min(RETRY_MS, config.followIntervalMs());
            monitor.scheduleWithFixedDelay(() -> refresh(true), interval, interval, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Lists the archive; on a change checks the targets and, from the monitor, asks Connect for new task configs.
     * Returns whether the partitions are known. A transient failure (the store, the Kafka cluster) is tried again
     * later; a permanent one fails the connector.
     */
    private boolean refresh(boolean fromMonitor) {
        try {
            ReplayDiscovery.Result found = discovery.discover();
            ReplayDiscovery.Result before = current;
            if (before != null && before.partitions().equals(found.partitions())) {
                return true;
            }
            checkTargets(found);
            current = found;
            log.info("Archive holds {} partitions to replay: {}", found.partitions().size(), found.partitionCounts());
            if (fromMonitor) {
                context().requestTaskReconfiguration();
                if (!config.follow()) {
                    monitor.shutdown(); // it only waited for the archive to answer
                }
            }
            return true;
        } catch (SegmentException e) {
            ConnectException fatal = fatalOrNull(e);
            if (fatal == null) {
                log.warn("Cannot list the archive in {} now, trying again: {}", store.location(),
                        e.getMessage());
                return false;
            }
            return fail(fatal, fromMonitor);
        } catch (RetriableException e) {
            log.warn("Cannot check the target topics now, trying again: {}", e.getMessage());
            return false;
        } catch (RuntimeException e) {
            return fail(e, fromMonitor);
        }
    }

    private boolean fail(RuntimeException e, boolean fromMonitor) {
        if (!fromMonitor) {
            throw e;
        }
        log.error("Replay connector failed: {}", e.getMessage());
        context().raiseError(e instanceof ConnectException ? e : new ConnectException(e.getMessage(), e));
        monitor.shutdown();
        return false;
    }

    private ConnectException fatalOrNull(SegmentException e) {
        if (ReplayFailures.kind(e) == ReplayFailures.Kind.TRANSIENT) {
            return null;
        }
        FailureKind kind = Failures.kind(e);
        if (kind == FailureKind.BUCKET_MISSING) {
            return Failures.toConnect(kind, Failures.bucketMissing(config.connection().bucket(),
                    config.connection().endpoint(), "s3.bucket"), e);
        }
        return Failures.toConnect(kind, "Cannot list the archive in " + store.location() + ": "
                + e.getMessage(), e);
    }

    private void checkTargets(ReplayDiscovery.Result found) throws SegmentException {
        TopicFormat format = config.topicFormat();
        Map<String, TargetTopics.Need> needs = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : found.partitionCounts().entrySet()) {
            String target = format.target(e.getKey());
            TargetTopics.Need need = new TargetTopics.Need(target, e.getKey(), e.getValue(),
                    archivedConfig(e.getKey(), found));
            needs.merge(target, need, (a, b) -> a.partitions() >= b.partitions() ? a : b);
            if (config.follow() && target.equals(e.getKey())) {
                log.warn("Replaying {} into itself with replay.follow=true: if a sink archives {} into this archive, "
                        + "every replayed record is archived and replayed again", target, target);
            }
        }
        if (config.preservePartitions()) {
            new TargetTopics(() -> Admin.create(config.adminConfig()), props, config.preserveTopicConfigs())
                    .ensure(new ArrayList<>(needs.values()), config.offsetSyncsTopic());
        }
    }

    /**
     * The newest config snapshot of the newest incarnation of {@code topic} this replay covers, when created targets
     * get the archived configs ({@code replay.topic.configs=preserve}); empty otherwise or when there is none.
     */
    private Optional<TopicConfigSnapshot> archivedConfig(String topic, ReplayDiscovery.Result found)
            throws SegmentException {
        if (!config.preservePartitions() || !config.preserveTopicConfigs()) {
            return Optional.empty();
        }
        Set<Incarnation> replayed = new java.util.HashSet<>();
        found.partitions().stream().filter(p -> p.topic().equals(topic)).forEach(p -> replayed.add(p.incarnation()));
        Optional<Incarnation> newest = store.catalog().incarnations(topic).stream()
                .map(ArchiveCatalog.Entry::incarnation).filter(replayed::contains).filter(i -> !i.isLegacy())
                .reduce((a, b) -> b);
        if (newest.isEmpty()) {
            return Optional.empty();
        }
        Optional<TopicConfigSnapshot> snapshot = new ArchiveSnapshots(store).configAt(topic, newest.get(),
                Long.MAX_VALUE);
        if (snapshot.isEmpty()) {
            log.info("The archive holds no topic config snapshot of {} ({}): a target created for it gets only "
                    + "topic.creation.default.* settings", topic, newest.get().id());
        }
        return snapshot;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return ArchiveReplaySourceTask.class;
    }

    /** One config per task, each with its share of the archived partitions; none until the archive is listed. */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        ReplayDiscovery.Result found = current;
        if (found == null || found.partitions().isEmpty()) {
            log.info("No archived partition to replay yet; no task started");
            return List.of();
        }
        List<List<ArchivePartition>> groups = PartitionAssignment.assign(found.partitions(), maxTasks);
        List<Map<String, String>> configs = new ArrayList<>(groups.size());
        for (int i = 0; i < groups.size(); i++) {
            Map<String, String> task = new HashMap<>(props);
            task.put(ArchiveReplaySourceConfig.TASK_PARTITIONS, PartitionAssignment.encode(groups.get(i)));
            task.put(ArchiveReplaySourceConfig.TASK_INDEX, Integer.toString(i));
            configs.add(task);
        }
        return configs;
    }

    @Override
    public void stop() {
        if (monitor != null) {
            monitor.shutdownNow();
            monitor = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
        log.info("Replay connector stopped");
    }

    @Override
    public ConfigDef config() {
        return ArchiveReplaySourceConfig.configDef();
    }

    /** Per-key validation by the ConfigDef, then the checks between keys, each reported on the key to fix. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        return ConnectorValidation.validate(config(), connectorConfigs, ArchiveReplaySourceConfig::crossFieldErrors);
    }

    /**
     * Accepts offsets that a user writes through the REST API: {@code {"offset": n}} (replay from original offset
     * n) or null (start the partition from the configured start again).
     */
    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        for (Map.Entry<Map<String, ?>, Map<String, ?>> e : offsets.entrySet()) {
            ReplayRecords.checkPartition(e.getKey());
            ReplayRecords.nextOffset(e.getValue());
        }
        return true;
    }

}
