package io.tieredarchive.source.replay;

import io.tieredarchive.dr.TopicConfigSnapshot;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Makes sure each target topic can take every archived partition when partitions are preserved: a target with
 * fewer partitions than the archived topic is refused with a message saying what to do; a missing target is
 * created with the archived topic's partition count when the connector config enables Connect's topic creation
 * ({@code topic.creation.default.replication.factor} and {@code topic.creation.default.partitions}), with that
 * group's replication factor and topic settings, and refused otherwise.
 *
 * <p>With {@code replay.topic.configs=preserve}, a topic it creates also gets the archived topic's partition count
 * and configs (its newest {@link TopicConfigSnapshot}), below the {@code topic.creation.default.*} settings given
 * explicitly; an existing topic is never changed, and a difference from the archived configs is logged. It also
 * creates the offset syncs topic (compacted) when missing.
 */
public final class TargetTopics {

    private static final Logger log = LoggerFactory.getLogger(TargetTopics.class);

    static final String CREATION_PREFIX = "topic.creation.default.";
    static final String CREATION_REPLICATION_FACTOR = CREATION_PREFIX + "replication.factor";
    static final String CREATION_PARTITIONS = CREATION_PREFIX + "partitions";
    private static final List<String> NOT_TOPIC_CONFIGS = List.of("replication.factor", "partitions", "include",
            "exclude");
    private static final long TIMEOUT_MS = 60_000;

    /** Configs that name brokers of the archived cluster: never applied to another. */
    static final Set<String> NOT_PORTABLE = Set.of("leader.replication.throttled.replicas",
            "follower.replication.throttled.replicas");

    /** A target topic and what it must hold; {@code archived}: the archived topic's configs, when known. */
    public record Need(String target, String archivedTopic, int partitions, Optional<TopicConfigSnapshot> archived) {
        public Need(String target, String archivedTopic, int partitions) {
            this(target, archivedTopic, partitions, Optional.empty());
        }
    }

    private final Supplier<Admin> admin;
    private final Map<String, String> connectorProps;
    private final boolean preserveConfigs;

    /**
     * @param admin          opens an Admin client on the target cluster (closed after each use)
     * @param connectorProps the connector's config, for Connect's {@code topic.creation.default.*} keys
     */
    public TargetTopics(Supplier<Admin> admin, Map<String, String> connectorProps) {
        this(admin, connectorProps, false);
    }

    /** @param preserveConfigs created topics get the archived topic's configs ({@code replay.topic.configs}) */
    public TargetTopics(Supplier<Admin> admin, Map<String, String> connectorProps, boolean preserveConfigs) {
        this.admin = admin;
        this.connectorProps = connectorProps;
        this.preserveConfigs = preserveConfigs;
    }

    /** True when the connector config sets Connect's default topic creation group. */
    public boolean creationEnabled() {
        return connectorProps.containsKey(CREATION_REPLICATION_FACTOR);
    }

    /**
     * Checks every need, creating missing topics when allowed; throws a {@link ConnectException} that says why, a
     * {@link RetriableException} when the cluster did not answer in time.
     */
    public void ensure(List<Need> needs) {
        ensure(needs, Optional.empty());
    }

    /** {@link #ensure(List)}, and creates the offset syncs topic {@code syncsTopic} when missing. */
    public void ensure(List<Need> needs, Optional<String> syncsTopic) {
        if (needs.isEmpty() && syncsTopic.isEmpty()) {
            return;
        }
        try (Admin client = admin.get()) {
            for (Need need : needs) {
                ensure(client, need);
            }
            if (syncsTopic.isPresent()) {
                ensureSyncsTopic(client, syncsTopic.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("Interrupted while checking the target topics", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            String message = "Cannot check the target topics through kafka.bootstrap.servers: " + cause;
            if (cause instanceof TimeoutException
                    || cause instanceof org.apache.kafka.common.errors.RetriableException) {
                throw new RetriableException(message, cause);
            }
            throw new ConnectException(message, cause);
        }
    }

    private void ensure(Admin client, Need need) throws InterruptedException, ExecutionException, TimeoutException {
        Optional<Integer> existing = partitions(client, need.target());
        if (existing.isEmpty()) {
            if (!creationEnabled()) {
                throw new ConnectException("Target topic '" + need.target() + "' does not exist. Create it with at "
                        + "least " + need.partitions() + " partitions (archived topic '" + need.archivedTopic()
                        + "' has partitions 0 to " + (need.partitions() - 1) + " and replay.partitioning=preserve "
                        + "keeps each record in its partition), or set " + CREATION_REPLICATION_FACTOR + " and "
                        + CREATION_PARTITIONS + " in this connector's config so the connector creates it");
            }
            if (create(client, need)) {
                return;
            }
            existing = partitions(client, need.target());
        }
        int count = existing.orElseThrow(() -> new ConnectException("Target topic '" + need.target()
                + "' vanished while it was being checked"));
        if (count < need.partitions()) {
            throw new ConnectException("Target topic '" + need.target() + "' has " + count + " partitions, but "
                    + "archived topic '" + need.archivedTopic() + "' has " + need.partitions() + " and "
                    + "replay.partitioning=preserve keeps each record in its partition. Add partitions "
                    + "(kafka-topics.sh --alter --topic " + need.target() + " --partitions " + need.partitions()
                    + "), replay into another topic (replay.topic.format), or set replay.partitioning=key");
        }
        log.info("Target topic {} has {} partitions, enough for archived topic {} ({})", need.target(), count,
                need.archivedTopic(), need.partitions());
        compareConfigs(client, need, count);
    }

    /** An existing target is never changed; where it differs from the archived topic, the log says so. */
    private void compareConfigs(Admin client, Need need, int partitions) throws InterruptedException,
            ExecutionException, TimeoutException {
        if (!preserveConfigs || need.archived().isEmpty()) {
            return;
        }
        TopicConfigSnapshot archived = need.archived().get();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, need.target());
        Config config = client.describeConfigs(List.of(resource)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .get(resource);
        Map<String, String> actual = new TreeMap<>();
        for (ConfigEntry e : config.entries()) {
            if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG && e.value() != null) {
                actual.put(e.name(), e.value());
            }
        }
        Map<String, String> expected = portable(archived);
        if (!actual.equals(expected) || partitions != archived.partitions()) {
            log.warn("Target topic {} exists with {} partitions and configs {}, but archived topic {} had {} "
                    + "partitions and configs {}. replay.topic.configs never changes an existing topic: change it "
                    + "yourself if it should match", need.target(), partitions, actual, need.archivedTopic(),
                    archived.partitions(), expected);
        }
    }

    private static Map<String, String> portable(TopicConfigSnapshot archived) {
        Map<String, String> configs = new TreeMap<>(archived.configs());
        configs.keySet().removeAll(NOT_PORTABLE);
        return configs;
    }

    /** The offset syncs topic: compacted, one partition (syncs are few: one per transaction and partition). */
    private void ensureSyncsTopic(Admin client, String topic) throws InterruptedException, ExecutionException,
            TimeoutException {
        if (partitions(client, topic).isPresent()) {
            return;
        }
        short rf = (short) intProp(CREATION_REPLICATION_FACTOR, -1);
        NewTopic syncs = new NewTopic(topic, Optional.of(1), rf < 0 ? Optional.empty() : Optional.of(rf))
                .configs(Map.of("cleanup.policy", "compact"));
        try {
            client.createTopics(List.of(syncs)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            log.info("Created the offset syncs topic {}", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    private static Optional<Integer> partitions(Admin client, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            TopicDescription d = client.describeTopics(List.of(topic)).topicNameValues().get(topic)
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return Optional.of(d.partitions().size());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Creates the topic; false when someone else created it first. */
    private boolean create(Admin client, Need need) throws InterruptedException, ExecutionException,
            TimeoutException {
        Optional<TopicConfigSnapshot> archived = preserveConfigs ? need.archived() : Optional.empty();
        int partitions = Math.max(Math.max(need.partitions(), intProp(CREATION_PARTITIONS, -1)),
                archived.map(TopicConfigSnapshot::partitions).orElse(-1));
        short rf = (short) intProp(CREATION_REPLICATION_FACTOR, -1);
        Map<String, String> configs = new TreeMap<>(archived.map(TargetTopics::portable).orElse(Map.of()));
        configs.putAll(topicConfigs());
        NewTopic topic = new NewTopic(need.target(), Optional.of(partitions),
                rf < 0 ? Optional.empty() : Optional.of(rf)).configs(configs);
        try {
            client.createTopics(List.of(topic)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            awaitServed(client, need.target(), partitions);
            log.info("Created target topic {} with {} partitions and configs {} for archived topic {}{}",
                    need.target(), partitions, configs, need.archivedTopic(), archived.isPresent()
                            ? " (its configs of " + java.time.Instant.ofEpochMilli(archived.get().snapshotAtMs())
                            + ", replay.topic.configs=preserve)" : "");
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Waits until the leaders serve every partition of a new topic (they answer ListOffsets). The controller names
     * leaders before the brokers have created the partitions, and an idempotent producer that writes into that gap
     * can stall on out-of-order sequence errors until its delivery timeout.
     */
    private static void awaitServed(Admin client, String topic, int partitions) throws InterruptedException,
            ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> all = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            all.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (true) {
            try {
                client.listOffsets(all).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException notYet) {
                if (System.currentTimeMillis() > deadline) {
                    throw notYet;
                }
                Thread.sleep(200);
            }
        }
    }

    private Map<String, String> topicConfigs() {
        Map<String, String> configs = new HashMap<>();
        connectorProps.forEach((key, value) -> {
            if (key.startsWith(CREATION_PREFIX)) {
                String name = key.substring(CREATION_PREFIX.length());
                if (!NOT_TOPIC_CONFIGS.contains(name)) {
                    configs.put(name, value);
                }
            }
        });
        return configs;
    }

    private int intProp(String key, int defaultValue) {
        String v = connectorProps.get(key);
        if (v == null || v.isBlank()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new ConnectException(key + " must be an integer, not '" + v + "'");
        }
    }
}
