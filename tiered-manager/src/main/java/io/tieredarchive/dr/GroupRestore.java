package io.tieredarchive.dr;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.remote.ArchiveCatalog;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Restores consumer groups after a replay: reads the group snapshots of the archived topics, translates every
 * committed offset into the target ({@link PartitionTranslator}, from the replay's offset syncs), and commits the
 * exact ones with {@code Admin.alterConsumerGroupOffsets}. Used by {@code tiered-archive groups} and the REST
 * extension, with the replay connector's config ({@link GroupRestoreSettings}). Every Kafka call is bounded.
 */
public final class GroupRestore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupRestore.class);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    /** The snapshot of one archived topic at a time, if there is one. */
    public record TopicSnapshot(String topic, Incarnation incarnation, Optional<GroupOffsetsSnapshot> snapshot,
                                String note) {
    }

    /** What an apply did: the groups committed, and those left alone because an offset was not exact. */
    public record Applied(List<String> applied, List<String> notExact) {
    }

    /** Groups that have members on the target: offsets are never changed under a running consumer. */
    public static final class ActiveGroupsException extends Exception {
        private final List<String> groups;

        ActiveGroupsException(List<String> groups) {
            super("Refusing to commit offsets: group(s) " + String.join(", ", groups) + " have active members on "
                    + "the target cluster. Stop their consumers and apply again; nothing was committed");
            this.groups = List.copyOf(groups);
        }

        public List<String> groups() {
            return groups;
        }
    }

    private final RemoteSegmentStore store;
    private final GroupRestoreSettings settings;
    private final ArchiveSnapshots snapshots;
    private ArchiveReader reader;
    private Admin admin;
    private Consumer<byte[], byte[]> consumer;

    public GroupRestore(RemoteSegmentStore store, GroupRestoreSettings settings) {
        this.store = store;
        this.settings = settings;
        this.snapshots = new ArchiveSnapshots(store);
    }

    /** The archived topics of the replay: {@code topics} when given, else the replay config's. */
    public List<String> topics(List<String> topics) throws SegmentException {
        List<String> chosen = topics.isEmpty() ? settings.archivedTopics(store.catalog()) : topics;
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("No archived topic to restore groups of: name them (replay.topics, "
                    + "replay.topics.regex, or the topic option)");
        }
        return chosen;
    }

    /** The newest group snapshot at or before {@code atMs} of each topic (of the incarnation replayed). */
    public List<TopicSnapshot> snapshots(List<String> topics, long atMs) throws SegmentException {
        List<TopicSnapshot> result = new ArrayList<>();
        ArchiveCatalog catalog = store.catalog();
        for (String topic : topics) {
            List<ArchiveCatalog.Entry> selected = settings.incarnation().select(catalog.incarnations(topic));
            Optional<Incarnation> incarnation = selected.stream().map(ArchiveCatalog.Entry::incarnation)
                    .filter(i -> !i.isLegacy()).reduce((a, b) -> b);
            if (incarnation.isEmpty()) {
                result.add(new TopicSnapshot(topic, null, Optional.empty(), "no identified incarnation of the "
                        + "topic in " + store.location() + " matches replay.incarnation '" + settings.incarnation()
                        + "' (archives written before incarnations existed have no snapshots)"));
                continue;
            }
            Optional<GroupOffsetsSnapshot> s = snapshots.groupsAt(topic, incarnation.get(), atMs);
            result.add(new TopicSnapshot(topic, incarnation.get(), s, s.isPresent() ? "" : "no group snapshot at or "
                    + "before " + Instant.ofEpochMilli(atMs) + " in " + snapshots.location(topic, incarnation.get())
                    + " (archive.groups.regex on the sink)"));
        }
        return result;
    }

    /** Translates the offsets of the groups matching {@code groups} in the snapshots at {@code atMs}. */
    public GroupRestorePlan plan(List<String> topics, Pattern groups, long atMs) throws SegmentException {
        List<TopicSnapshot> found = snapshots(topics, atMs);
        Map<String, TopicDescription> targets = describeTargets(found);
        Map<OffsetSyncs.Source, List<OffsetSync>> syncs = found.stream().anyMatch(t -> t.snapshot().isPresent())
                ? OffsetSyncs.read(consumer(), settings.syncsTopic(), s -> targets.containsKey(s.targetTopic())
                        && targets.get(s.targetTopic()).topicId().toString().equals(s.targetTopicId()))
                : Map.of();
        List<GroupRestorePlan.TopicPlan> topicPlans = new ArrayList<>();
        List<GroupRestorePlan.Entry> entries = new ArrayList<>();
        for (TopicSnapshot t : found) {
            String target = settings.targetOf(t.topic());
            TopicDescription description = targets.get(target);
            String note = t.snapshot().isPresent() && description == null ? "the target topic does not exist"
                    : t.note();
            topicPlans.add(new GroupRestorePlan.TopicPlan(t.topic(), t.incarnation() == null ? "-"
                    : t.incarnation().id(), t.snapshot().map(GroupOffsetsSnapshot::snapshotAtMs).orElse(-1L),
                    target, note));
            if (t.snapshot().isPresent()) {
                entries.addAll(translate(t, t.snapshot().get(), groups, target, description, syncs));
            }
        }
        entries.sort(Comparator.comparing(GroupRestorePlan.Entry::group).thenComparing(GroupRestorePlan.Entry::topic)
                .thenComparingInt(GroupRestorePlan.Entry::partition));
        return new GroupRestorePlan(atMs, topicPlans, entries);
    }

    /** One topic's entries, partition by partition and in offset order, so each translator reads forward. */
    private List<GroupRestorePlan.Entry> translate(TopicSnapshot t, GroupOffsetsSnapshot snapshot, Pattern groups,
                                                   String target, TopicDescription description,
                                                   Map<OffsetSyncs.Source, List<OffsetSync>> syncs)
            throws SegmentException {
        Map<Integer, List<Map.Entry<String, GroupOffsetsSnapshot.CommittedOffset>>> byPartition = new HashMap<>();
        snapshot.groups().forEach((group, offsets) -> {
            if (groups.matcher(group).matches()) {
                offsets.forEach((p, c) -> byPartition.computeIfAbsent(p, k -> new ArrayList<>())
                        .add(Map.entry(group, c)));
            }
        });
        Map<TopicPartition, Long> starts = Map.of();
        Map<TopicPartition, Long> ends = Map.of();
        if (description != null) {
            List<TopicPartition> tps = byPartition.keySet().stream()
                    .filter(p -> p < description.partitions().size()).map(p -> new TopicPartition(target, p)).toList();
            starts = consumer().beginningOffsets(tps, CALL_TIMEOUT);
            ends = consumer().endOffsets(tps, CALL_TIMEOUT);
        }
        List<GroupRestorePlan.Entry> entries = new ArrayList<>();
        for (Map.Entry<Integer, List<Map.Entry<String, GroupOffsetsSnapshot.CommittedOffset>>> e
                : byPartition.entrySet()) {
            int p = e.getKey();
            e.getValue().sort(Comparator.comparingLong(c -> c.getValue().offset()));
            TopicPartition tp = new TopicPartition(target, p);
            PartitionTranslator translator = null;
            if (description != null && p < description.partitions().size()) {
                ArchivePartition archived = new ArchivePartition(t.topic(), t.incarnation(), p);
                translator = new PartitionTranslator(archived + " -> " + tp, syncs.getOrDefault(
                        new OffsetSyncs.Source(t.topic(), t.incarnation().id(), p), List.of()),
                        new ArchiveLog(reader(), store.view(archived)),
                        new ConsumerTargetLog(consumer(), tp, starts.get(tp), ends.get(tp)));
            }
            for (Map.Entry<String, GroupOffsetsSnapshot.CommittedOffset> c : e.getValue()) {
                Translation tr = translator != null ? translator.translate(c.getValue().offset())
                        : Translation.notExact(description == null ? "target topic " + target + " does not exist"
                        : "target topic " + target + " has no partition " + p);
                entries.add(new GroupRestorePlan.Entry(c.getKey(), t.topic(), p, c.getValue().offset(),
                        c.getValue().metadata(), target, p, tr));
            }
        }
        return entries;
    }

    /**
     * Commits the translated offsets of every group whose offsets are all exact, after checking that none of them
     * has members on the target.
     *
     * @throws ActiveGroupsException naming the active groups; then nothing is committed
     */
    public Applied apply(GroupRestorePlan plan) throws ActiveGroupsException {
        List<String> exact = plan.exactGroups();
        List<String> active = activeGroups(exact);
        if (!active.isEmpty()) {
            throw new ActiveGroupsException(active);
        }
        Map<String, List<GroupRestorePlan.Entry>> byGroup = plan.byGroup();
        Map<String, KafkaFuture<Void>> commits = new LinkedHashMap<>();
        for (String group : exact) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (GroupRestorePlan.Entry e : byGroup.get(group)) {
                offsets.put(new TopicPartition(e.targetTopic(), e.targetPartition()),
                        new OffsetAndMetadata(e.translation().targetOffset(), e.metadata()));
            }
            commits.put(group, admin().alterConsumerGroupOffsets(group, offsets).all());
        }
        List<String> applied = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> c : commits.entrySet()) {
            get(c.getValue(), "commit the offsets of group " + c.getKey());
            applied.add(c.getKey());
            log.info("Committed the translated offsets of group {} on the target cluster", c.getKey());
        }
        return new Applied(applied, plan.inexactGroups());
    }

    /** The groups among {@code groups} with members on the target now. */
    private List<String> activeGroups(List<String> groups) {
        if (groups.isEmpty()) {
            return List.of();
        }
        Map<String, KafkaFuture<ConsumerGroupDescription>> described = admin().describeConsumerGroups(groups)
                .describedGroups();
        List<String> active = new ArrayList<>();
        for (String group : groups) {
            try {
                ConsumerGroupDescription d = described.get(group).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (!d.members().isEmpty()) {
                    active.add(group);
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    throw new IllegalStateException("Cannot describe group " + group + " on the target cluster: "
                            + e.getCause(), e.getCause());
                }
            } catch (InterruptedException | TimeoutException e) {
                throw failure("describe group " + group, e);
            }
        }
        return active;
    }

    private Map<String, TopicDescription> describeTargets(List<TopicSnapshot> found) {
        Map<String, TopicDescription> targets = new HashMap<>();
        List<String> names = found.stream().filter(t -> t.snapshot().isPresent()).map(t -> settings.targetOf(t.topic()))
                .distinct().toList();
        if (names.isEmpty()) {
            return targets;
        }
        admin().describeTopics(names).topicNameValues().forEach((name, future) -> {
            try {
                targets.put(name, future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("Cannot describe target topic " + name + ": " + e.getCause(),
                            e.getCause());
                }
            } catch (InterruptedException | TimeoutException e) {
                throw failure("describe target topic " + name, e);
            }
        });
        return targets;
    }

    private static <T> T get(KafkaFuture<T> future, String what) {
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("The target cluster could not " + what + ": " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw failure(what, e);
        }
    }

    private static IllegalStateException failure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IllegalStateException("The target cluster did not " + what + " within "
                + CALL_TIMEOUT.toSeconds() + " s", e);
    }

    private ArchiveReader reader() {
        if (reader == null) {
            reader = new ArchiveReader(store, null, null, ArchiveReader.Options.DEFAULT);
        }
        return reader;
    }

    private Admin admin() {
        if (admin == null) {
            Map<String, Object> config = new HashMap<>(settings.targetCluster());
            config.putIfAbsent("default.api.timeout.ms", (int) CALL_TIMEOUT.toMillis());
            admin = Admin.create(config);
        }
        return admin;
    }

    private Consumer<byte[], byte[]> consumer() {
        if (consumer == null) {
            Map<String, Object> config = new HashMap<>(settings.targetCluster());
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            config.remove(ConsumerConfig.GROUP_ID_CONFIG);
            config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
            consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        return consumer;
    }

    @Override
    @SuppressWarnings("deprecation") // close(Duration): CloseOptions is 4.1+, and 3.7 workers run this
    public void close() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (reader != null) {
            reader.close();
        }
    }
}
