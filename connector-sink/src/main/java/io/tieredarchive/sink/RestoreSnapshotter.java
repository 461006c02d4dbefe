package io.tieredarchive.sink;

import io.tieredarchive.dr.ArchiveSnapshots;
import io.tieredarchive.dr.GroupOffsetsSnapshot;
import io.tieredarchive.dr.GroupOffsetsSnapshot.CommittedOffset;
import io.tieredarchive.dr.TopicConfigSnapshot;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What a restore needs besides the records, captured by the sink connector (one per connector, not per task) every
 * {@code archive.groups.interval.ms} into the archive, next to each topic's data ({@link ArchiveSnapshots}):
 * <ul>
 *   <li>the committed offsets of the consumer groups matching {@code archive.groups.regex} on the archived topics
 *       ({@code Admin.listConsumerGroupOffsets}): a new snapshot whenever they changed;</li>
 *   <li>with {@code archive.topic.configs=true}, each topic's partition count and every config set on it: when the
 *       archive of the topic starts, and again whenever they change.</li>
 * </ul>
 * The Admin client and the store are made on the snapshot thread, on first use, so a cluster or store that cannot
 * be reached never stops the connector: the pass logs a WARN and the next one tries again.
 */
final class RestoreSnapshotter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RestoreSnapshotter.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    /** What to capture, from the connector's config. */
    record Settings(String connector, List<String> topics, Optional<Pattern> topicsRegex, Optional<Pattern> groups,
                    boolean topicConfigs, long intervalMs) {

        boolean any() {
            return groups.isPresent() || topicConfigs;
        }
    }

    private final Settings settings;
    private final Supplier<Admin> admins;
    private final Supplier<RemoteSegmentStore> stores;
    private final LongSupplier clock;
    private final Map<Incarnation, TopicConfigSnapshot> lastConfigs = new HashMap<>();
    private final Map<Incarnation, GroupOffsetsSnapshot> lastGroups = new HashMap<>();
    private ScheduledExecutorService executor;
    private Admin admin;
    private RemoteSegmentStore store;
    private ArchiveSnapshots snapshots;

    RestoreSnapshotter(Settings settings, Supplier<Admin> admins, Supplier<RemoteSegmentStore> stores,
                       LongSupplier clock) {
        this.settings = settings;
        this.admins = admins;
        this.stores = stores;
        this.clock = clock;
    }

    /** Takes a first snapshot now, then one every interval, on a thread of its own. */
    void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "archive-snapshots-" + settings.connector());
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::snapshotQuietly, 0, settings.intervalMs(), TimeUnit.MILLISECONDS);
        log.info("Archive sink {} snapshots {}{} every {} ms into the archive", settings.connector(),
                settings.groups().map(p -> "the offsets of groups matching '" + p.pattern() + "'").orElse(""),
                settings.topicConfigs() ? (settings.groups().isPresent() ? " and " : "") + "topic configs" : "",
                settings.intervalMs());
    }

    private void snapshotQuietly() {
        try {
            snapshot();
        } catch (Exception e) {
            log.warn("Archive sink {} could not snapshot groups and topic configs now (next try in {} ms): {}",
                    settings.connector(), settings.intervalMs(), e.getMessage());
            closeClients();
        }
    }

    /** One pass: every archived topic's config (when changed) and group offsets (when changed). */
    void snapshot() throws Exception {
        if (admin == null) {
            admin = admins.get();
        }
        if (store == null) {
            store = stores.get();
            snapshots = new ArchiveSnapshots(store);
        }
        List<String> topics = topics();
        if (topics.isEmpty()) {
            return;
        }
        String clusterId = get(admin.describeCluster().clusterId(), "describe the cluster");
        Map<String, TopicDescription> described = describe(topics);
        long now = clock.getAsLong();
        for (TopicDescription d : described.values()) {
            store.describeIncarnation(d.name(), incarnation(clusterId, d));
        }
        if (settings.topicConfigs()) {
            snapshotConfigs(clusterId, described, now);
        }
        if (settings.groups().isPresent()) {
            snapshotGroups(clusterId, described, now);
        }
    }

    private List<String> topics() throws Exception {
        if (settings.topicsRegex().isEmpty()) {
            return settings.topics();
        }
        Pattern p = settings.topicsRegex().get();
        return get(admin.listTopics().names(), "list the topics").stream().filter(t -> p.matcher(t).matches())
                .sorted().toList();
    }

    private Map<String, TopicDescription> describe(List<String> topics) throws Exception {
        Map<String, TopicDescription> described = new TreeMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> e : admin.describeTopics(topics).topicNameValues()
                .entrySet()) {
            try {
                described.put(e.getKey(), get(e.getValue(), "describe topic " + e.getKey()));
            } catch (ExecutionException notThere) {
                if (!(notThere.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw notThere;
                }
            }
        }
        return described;
    }

    private void snapshotConfigs(String clusterId, Map<String, TopicDescription> described, long now)
            throws Exception {
        List<ConfigResource> resources = described.keySet().stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<ConfigResource, Config> configs = get(admin.describeConfigs(resources).all(), "describe topic configs");
        for (TopicDescription d : described.values()) {
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, d.name()));
            if (config == null) {
                continue;
            }
            Map<String, String> set = new TreeMap<>();
            for (ConfigEntry entry : config.entries()) {
                if (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG && entry.value() != null
                        && !entry.isSensitive()) {
                    set.put(entry.name(), entry.value());
                }
            }
            Incarnation incarnation = incarnation(clusterId, d);
            int replicas = d.partitions().isEmpty() ? -1 : d.partitions().get(0).replicas().size();
            TopicConfigSnapshot snapshot = TopicConfigSnapshot.of(d.name(), incarnation, now, settings.connector(),
                    d.partitions().size(), replicas, set);
            TopicConfigSnapshot last = lastConfigs.containsKey(incarnation) ? lastConfigs.get(incarnation)
                    : snapshots.configAt(d.name(), incarnation, Long.MAX_VALUE).orElse(null);
            if (!snapshot.sameSettings(last)) {
                String key = snapshots.write(snapshot);
                log.info("Topic {} has {} partitions and configs {}: snapshot {}", d.name(), d.partitions().size(),
                        set, key);
                last = snapshot;
            }
            lastConfigs.put(incarnation, last);
        }
    }

    @SuppressWarnings({"deprecation", "removal"}) // listConsumerGroups: listGroups is 4.1+; 3.7 workers run this
    private void snapshotGroups(String clusterId, Map<String, TopicDescription> described, long now)
            throws Exception {
        Pattern regex = settings.groups().orElseThrow();
        Collection<ConsumerGroupListing> listed = get(admin.listConsumerGroups().all(), "list the consumer groups");
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        for (ConsumerGroupListing g : listed) {
            if (regex.matcher(g.groupId()).matches()) {
                specs.put(g.groupId(), new ListConsumerGroupOffsetsSpec());
            }
        }
        Map<String, Map<TopicPartition, OffsetAndMetadata>> offsets = specs.isEmpty() ? Map.of()
                : get(admin.listConsumerGroupOffsets(specs).all(), "list the offsets of " + specs.size() + " groups");
        for (TopicDescription d : described.values()) {
            Map<String, Map<Integer, CommittedOffset>> byGroup = new TreeMap<>();
            offsets.forEach((group, committed) -> committed.forEach((tp, o) -> {
                if (o != null && tp.topic().equals(d.name())) {
                    byGroup.computeIfAbsent(group, g -> new TreeMap<>()).put(tp.partition(),
                            new CommittedOffset(o.offset(), o.metadata()));
                }
            }));
            Incarnation incarnation = incarnation(clusterId, d);
            GroupOffsetsSnapshot snapshot = GroupOffsetsSnapshot.of(d.name(), incarnation, now, settings.connector(),
                    d.partitions().size(), byGroup);
            GroupOffsetsSnapshot last = lastGroups.containsKey(incarnation) ? lastGroups.get(incarnation)
                    : snapshots.groupsAt(d.name(), incarnation, now).orElse(null);
            boolean changed = last == null ? !byGroup.isEmpty() : !snapshot.sameOffsets(last);
            if (changed) {
                String key = snapshots.write(snapshot);
                log.debug("Offsets of {} group(s) on {}: snapshot {}", byGroup.size(), d.name(), key);
                last = snapshot;
            }
            lastGroups.put(incarnation, last);
        }
    }

    private static Incarnation incarnation(String clusterId, TopicDescription d) {
        return new Incarnation(clusterId, d.topicId().toString());
    }

    private static <T> T get(KafkaFuture<T> future, String what) throws ExecutionException, SegmentException {
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SegmentException("Interrupted while asking Kafka to " + what, e);
        } catch (TimeoutException e) {
            throw new SegmentException("Kafka did not " + what + " within " + CALL_TIMEOUT.toSeconds() + " s", e);
        }
    }

    private void closeClients() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                    log.warn("The snapshot thread of {} did not stop within 10 s", settings.connector());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeClients();
    }
}
