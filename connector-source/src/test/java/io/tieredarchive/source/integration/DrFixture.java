package io.tieredarchive.source.integration;

import io.tieredarchive.testing.RecordAssertions;
import io.tieredarchive.sink.integration.ArchiveFixture;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.apache.kafka.test.TestUtils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Data, waits and comparisons of the disaster recovery tests: two clusters, compaction, groups. */
final class DrFixture {

    /** Per-topic settings that make a broker compact within seconds. */
    static final Map<String, String> FAST_COMPACTION = Map.of("cleanup.policy", "compact", "segment.ms", "300",
            "min.cleanable.dirty.ratio", "0.01", "min.compaction.lag.ms", "0", "delete.retention.ms", "86400000");

    private DrFixture() {
    }

    /**
     * Writes keyed records in rounds to a compacted topic: every key in round 0, then every third key again in each
     * of {@code rounds - 1} later rounds (the last one deleting some with tombstones), each round in its own log
     * segment, then one record per partition with a key of its own, so that every round can be cleaned.
     */
    static void produceInRounds(EmbeddedKafkaCluster kafka, String topic, int partitions, int keys, int rounds)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = ArchiveFixture.producer(kafka)) {
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < keys; k += round == 0 ? 1 : 3) {
                    boolean tombstone = round == rounds - 1 && k % 9 == 0;
                    byte[] value = tombstone ? null : ("{\"round\":" + round + ",\"key\":" + k + ",\"pad\":\""
                            + "x".repeat(k % 40) + "\"}").getBytes(StandardCharsets.UTF_8);
                    List<Header> headers = List.of(new RecordHeader("round", Integer.toString(round)
                            .getBytes(StandardCharsets.UTF_8)));
                    producer.send(new ProducerRecord<>(topic, (k / 3) % partitions, ArchiveFixture.T0 + round * 1000L + k,
                            key(k), value, headers)).get();
                }
                Thread.sleep(400); // the next record rolls the segment (segment.ms=300): this round can be cleaned
            }
            for (int p = 0; p < partitions; p++) {
                producer.send(new ProducerRecord<>(topic, p, ArchiveFixture.T0 + rounds * 1000L,
                        ("roll-" + p).getBytes(StandardCharsets.UTF_8), "last".getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }
    }

    static byte[] key(int k) {
        return ("{\"keytype\":\"SCHEMA\",\"subject\":\"s-" + k + "\",\"magic\":1}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Waits until the cleaner is done with a compacted topic: every partition has gaps in its offsets and each key
     * once, and a second read a few seconds later sees the same offsets. Returns what a consumer reads then.
     */
    static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> awaitCompacted(EmbeddedKafkaCluster kafka,
                                                                            String topic, int partitions)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> previous = null;
        while (System.nanoTime() < deadline) {
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> now = ReplayItSupport.readAll(kafka, topic, partitions);
            boolean settled = previous != null && offsets(now).equals(offsets(previous));
            for (List<ConsumerRecord<byte[], byte[]>> records : now.values()) {
                Set<String> keys = new HashSet<>();
                records.forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
                settled &= ArchiveFixture.hasGaps(records) && keys.size() == records.size();
            }
            if (settled) {
                return now;
            }
            previous = now;
            Thread.sleep(3000);
        }
        throw new AssertionError("The compacted topic " + topic + " did not settle with gaps and unique keys");
    }

    private static Map<Integer, List<Long>> offsets(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> records) {
        Map<Integer, List<Long>> out = new TreeMap<>();
        records.forEach((p, l) -> out.put(p, l.stream().map(ConsumerRecord::offset).toList()));
        return out;
    }

    /** An offset that no record has (a compaction gap) inside {@code records}. */
    static long gapOffset(List<ConsumerRecord<byte[], byte[]>> records) {
        for (int i = records.size() / 3; i < records.size() - 1; i++) {
            if (records.get(i + 1).offset() > records.get(i).offset() + 1) {
                return records.get(i).offset() + 1;
            }
        }
        throw new AssertionError("no gap after the first third of " + records.size() + " records");
    }

    static void commit(Admin admin, String group, Map<TopicPartition, Long> offsets, String metadata)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> map = new HashMap<>();
        offsets.forEach((tp, o) -> map.put(tp, new OffsetAndMetadata(o, metadata)));
        admin.alterConsumerGroupOffsets(group, map).all().get(30, TimeUnit.SECONDS);
    }

    static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, Long> out = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .forEach((tp, o) -> {
                    if (o != null) {
                        out.put(tp, o.offset());
                    }
                });
        return out;
    }

    /** Every config set on the topic itself. */
    static Map<String, String> topicConfigs(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
        Map<String, String> out = new TreeMap<>();
        for (ConfigEntry e : config.entries()) {
            if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                out.put(e.name(), e.value());
            }
        }
        return out;
    }

    /** Waits until the archive of each partition of the newest incarnation of {@code topic} reaches its last offset. */
    static void awaitArchived(RemoteSegmentStore store, String topic,
                              Map<Integer, List<ConsumerRecord<byte[], byte[]>>> records) throws Exception {
        AtomicReference<String> seen = new AtomicReference<>("nothing yet");
        TestUtils.waitForCondition(() -> {
            Map<Integer, Long> ends = new TreeMap<>();
            boolean all = true;
            for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> e : records.entrySet()) {
                long end;
                try {
                    ArchivePartition p = store.catalog().resolve(topic, e.getKey(), IncarnationSelection.LATEST_ONE);
                    end = store.view(p).endOffset();
                } catch (IllegalArgumentException notYet) {
                    end = -1;
                }
                ends.put(e.getKey(), end);
                all &= end >= e.getValue().get(e.getValue().size() - 1).offset() + 1;
            }
            seen.set(ends.toString());
            return all;
        }, 120_000, () -> topic + " is archived up to " + seen.get());
    }

    /**
     * Reads {@code topics} as a member of {@code group} (read_committed) from where the group's committed offsets
     * (or {@code autoOffsetReset}) put it, to the end; the group's offsets are not committed.
     */
    static Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> readAsGroup(EmbeddedKafkaCluster kafka,
                                                                                 String group, List<String> topics,
                                                                                 int partitionsEach,
                                                                                 String autoOffsetReset) {
        Map<String, Object> props = Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, autoOffsetReset,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> read = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.createConsumer(props)) {
            consumer.subscribe(topics);
            long deadline = System.currentTimeMillis() + 90_000;
            Map<TopicPartition, Long> end = null;
            while (end == null || !atEnd(consumer, end)) {
                assertTrue(System.currentTimeMillis() < deadline, group + " could not read " + topics + " to the end");
                consumer.poll(Duration.ofMillis(300)).forEach(r -> read.computeIfAbsent(
                        new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>()).add(r));
                if (consumer.assignment().size() == topics.size() * partitionsEach && end == null) {
                    end = consumer.endOffsets(consumer.assignment());
                }
            }
        }
        return read;
    }

    private static boolean atEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        return end != null && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    /** The records equal one by one: key, value, headers and timestamp. */
    static void assertSameRecords(String where, List<ConsumerRecord<byte[], byte[]>> expected,
                                  List<ConsumerRecord<byte[], byte[]>> actual) {
        RecordAssertions.assertSameRecords(where, expected, actual);
    }

    /** The records of {@code all} at or after {@code from}. */
    static List<ConsumerRecord<byte[], byte[]>> from(List<ConsumerRecord<byte[], byte[]>> all, long from) {
        return all.stream().filter(r -> r.offset() >= from).toList();
    }
}
