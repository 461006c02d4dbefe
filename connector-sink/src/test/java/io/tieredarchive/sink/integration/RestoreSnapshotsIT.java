package io.tieredarchive.sink.integration;

import io.tieredarchive.dr.ArchiveSnapshots;
import io.tieredarchive.dr.GroupOffsetsSnapshot;
import io.tieredarchive.dr.TopicConfigSnapshot;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.test.TestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.tieredarchive.sink.integration.ArchiveFixture.BUCKET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sink connector's restore snapshots, on a real broker, Connect worker and S3 server: the offsets of the
 * groups matching {@code archive.groups.regex} (and of no other group) land in the archive of the topic's
 * incarnation, a new snapshot whenever they change and none while they do not; the topic's partition count and
 * configs land there when its archive starts and again when they change.
 */
class RestoreSnapshotsIT {

    private static final String TOPIC = "payments";

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static EmbeddedConnectCluster connect;

    @BeforeAll
    static void start() {
        s3 = ArchiveFixture.startS3(tmp);
        connect = InProcessConnect.named("restore-snapshots-it").start();
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(Closing.stopping(connect), s3);
    }

    @Test
    void groupOffsetsAndTopicConfigsAreSnapshottedWhenTheyChange() throws Exception {
        KafkaTopics.create(connect.kafka(), TOPIC, 3, Map.of("retention.ms", "1209600000",
                "max.message.bytes", "2000000"));
        ArchiveFixture.produce(connect.kafka(), TOPIC, 3, 100, 5);
        try (Admin admin = connect.kafka().createAdminClient();
             RemoteSegmentStore store = RemoteSegmentStore.create(S3TestConnections.create(s3, BUCKET))) {
            commit(admin, "billing", Map.of(0, 10L, 1, 20L));
            commit(admin, "other", Map.of(0, 5L));
            Map<String, String> config = ArchiveFixture.connectorConfig(connect.kafka().bootstrapServers(),
                    tmp.resolve("local"), TOPIC, 1, s3);
            config.put("archive.groups.regex", "billing|audit");
            config.put("archive.groups.interval.ms", "1000");
            connect.configureConnector("payments-archive", config);

            String clusterId = admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
            String topicId = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(TOPIC).topicId().toString();
            Incarnation incarnation = new Incarnation(clusterId, topicId);
            ArchiveSnapshots snapshots = new ArchiveSnapshots(store);

            GroupOffsetsSnapshot first = awaitGroups(snapshots, incarnation, Map.of("billing", Map.of(0, 10L, 1, 20L)));
            assertEquals(clusterId, first.clusterId());
            assertEquals(3, first.partitions());
            TopicConfigSnapshot config1 = awaitConfig(snapshots, incarnation, "max.message.bytes", "2000000");
            assertEquals(3, config1.partitions());
            assertEquals(Map.of("max.message.bytes", "2000000", "retention.ms", "1209600000"), config1.configs(),
                    "every config set on the topic, and only those");

            Thread.sleep(3_000); // three intervals without a change
            assertEquals(1, snapshots.groupSnapshotTimes(TOPIC, incarnation).size(), "no new snapshot without a "
                    + "change");

            commit(admin, "billing", Map.of(0, 15L, 1, 20L, 2, 7L));
            commit(admin, "audit", Map.of(2, 3L));
            GroupOffsetsSnapshot second = awaitGroups(snapshots, incarnation, Map.of(
                    "billing", Map.of(0, 15L, 1, 20L, 2, 7L), "audit", Map.of(2, 3L)));
            assertTrue(second.snapshotAtMs() > first.snapshotAtMs());
            assertEquals(first, snapshots.groupsAt(TOPIC, incarnation, first.snapshotAtMs()).orElseThrow(),
                    "the earlier snapshot is still there, unchanged");

            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPIC), List.of(
                    new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact,delete"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            TopicConfigSnapshot config2 = awaitConfig(snapshots, incarnation, "cleanup.policy", "compact,delete");
            assertTrue(config2.snapshotAtMs() > config1.snapshotAtMs());
            assertEquals(config1, snapshots.configAt(TOPIC, incarnation, config1.snapshotAtMs()).orElseThrow());
        } finally {
            connect.deleteConnector("payments-archive");
        }
    }

    private static void commit(Admin admin, String group, Map<Integer, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> map = new java.util.HashMap<>();
        offsets.forEach((p, o) -> map.put(new TopicPartition(TOPIC, p), new OffsetAndMetadata(o, "m")));
        admin.alterConsumerGroupOffsets(group, map).all().get(30, TimeUnit.SECONDS);
    }

    private static GroupOffsetsSnapshot awaitGroups(ArchiveSnapshots snapshots, Incarnation incarnation,
                                                    Map<String, Map<Integer, Long>> expected) throws Exception {
        GroupOffsetsSnapshot[] seen = new GroupOffsetsSnapshot[1];
        TestUtils.waitForCondition(() -> {
            Optional<GroupOffsetsSnapshot> s = snapshots.groupsAt(TOPIC, incarnation, Long.MAX_VALUE / 2);
            seen[0] = s.orElse(null);
            return s.isPresent() && offsets(s.get()).equals(expected);
        }, 60_000, () -> "the newest group snapshot is " + seen[0] + ", expected " + expected);
        assertFalse(seen[0].groups().containsKey("other"), "a group outside archive.groups.regex");
        seen[0].groups().values().forEach(g -> g.values().forEach(c -> assertEquals("m", c.metadata())));
        return seen[0];
    }

    private static Map<String, Map<Integer, Long>> offsets(GroupOffsetsSnapshot s) {
        Map<String, Map<Integer, Long>> out = new java.util.TreeMap<>();
        s.groups().forEach((g, o) -> {
            Map<Integer, Long> m = new java.util.TreeMap<>();
            o.forEach((p, c) -> m.put(p, c.offset()));
            out.put(g, m);
        });
        return out;
    }

    private static TopicConfigSnapshot awaitConfig(ArchiveSnapshots snapshots, Incarnation incarnation, String key,
                                                   String value) throws Exception {
        TopicConfigSnapshot[] seen = new TopicConfigSnapshot[1];
        TestUtils.waitForCondition(() -> {
            seen[0] = snapshots.configAt(TOPIC, incarnation, Long.MAX_VALUE / 2).orElse(null);
            return seen[0] != null && value.equals(seen[0].configs().get(key));
        }, 60_000, () -> "the newest config snapshot is " + seen[0] + ", expected " + key + "=" + value);
        return seen[0];
    }
}
