package io.tieredarchive.dr;

import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.tier.TestArchive;
import io.tieredarchive.tier.remote.ArchiveCatalog;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.testing.BackendUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.tieredarchive.tier.TestArchive.INCARNATION;
import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restore snapshots in an archive, on each backend (subclasses): written once and never replaced, found by time,
 * and invisible to every reader of partitions and incarnations.
 */
abstract class AbstractArchiveSnapshotsTest {

    static final long DAY = 86_400_000L;
    static final long T = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    @TempDir
    Path tempDir;
    RemoteSegmentStore store;
    ArchiveSnapshots snapshots;

    /** The store the tests run on. */
    private final BackendUnderTest backends;

    protected AbstractArchiveSnapshotsTest(BackendUnderTest backends) {
        this.backends = backends;
    }

    @BeforeEach
    void setUp() throws Exception {
        store = new RemoteSegmentStore(backends.backend(tempDir), "snapshots-" + UUID.randomUUID(),
                () -> TestArchive.T0);
        snapshots = new ArchiveSnapshots(store);
    }

    @AfterEach
    void tearDown() {
        if (!backends.shared()) {
            store.close();
        }
    }

    static GroupOffsetsSnapshot groups(long at, long offset) {
        return GroupOffsetsSnapshot.of(TOPIC, INCARNATION, at, "orders-archive", 3, Map.of(
                "billing", Map.of(0, new GroupOffsetsSnapshot.CommittedOffset(offset, "m"),
                        2, new GroupOffsetsSnapshot.CommittedOffset(offset + 1, "")),
                "audit", Map.of(1, new GroupOffsetsSnapshot.CommittedOffset(7, null))));
    }

    @Test
    void theGroupSnapshotAtATimeIsTheNewestAtOrBeforeItAcrossDays() throws Exception {
        snapshots.write(groups(T + 1_000, 10));
        snapshots.write(groups(T + 60_000, 20));
        snapshots.write(groups(T + DAY + 5_000, 30));
        snapshots.write(groups(T + 3 * DAY, 40));
        assertEquals(List.of(T + 1_000, T + 60_000, T + DAY + 5_000, T + 3 * DAY),
                snapshots.groupSnapshotTimes(TOPIC, INCARNATION));
        assertTrue(snapshots.groupsAt(TOPIC, INCARNATION, T + 999).isEmpty(), "nothing before the first");
        assertEquals(10, offsetOfBilling(T + 1_000));
        assertEquals(20, offsetOfBilling(T + DAY + 4_999), "yesterday's newest when today has none before");
        assertEquals(30, offsetOfBilling(T + 2 * DAY));
        assertEquals(40, offsetOfBilling(Long.MAX_VALUE / 2));
        GroupOffsetsSnapshot read = snapshots.groupsAt(TOPIC, INCARNATION, T + 60_000).orElseThrow();
        assertEquals(groups(T + 60_000, 20), read);
        assertEquals("", read.groups().get("audit").get(1).metadata(), "no metadata reads as empty");
    }

    private long offsetOfBilling(long at) throws Exception {
        return snapshots.groupsAt(TOPIC, INCARNATION, at).orElseThrow().groups().get("billing").get(0).offset();
    }

    @Test
    void aSnapshotIsNeverReplaced() throws Exception {
        String key = snapshots.write(groups(T, 10));
        assertEquals(key, snapshots.write(groups(T, 99)), "same writer, same millisecond: same key");
        assertEquals(10, offsetOfBilling(T), "the first write stands");
        assertTrue(key.contains("/" + INCARNATION.id() + "/groups/2026-01-01/20260101T000000.000Z-orders-archive.json"),
                key);
    }

    @Test
    void theConfigAtATimeIsTheNewestAtOrBeforeIt() throws Exception {
        TopicConfigSnapshot first = TopicConfigSnapshot.of(TOPIC, INCARNATION, T, "orders-archive", 3, 1,
                Map.of("cleanup.policy", "compact", "retention.ms", "-1"));
        TopicConfigSnapshot second = TopicConfigSnapshot.of(TOPIC, INCARNATION, T + DAY, "orders-archive", 6, 1,
                Map.of("cleanup.policy", "compact"));
        snapshots.write(first);
        snapshots.write(second);
        assertTrue(snapshots.configAt(TOPIC, INCARNATION, T - 1).isEmpty());
        assertEquals(first, snapshots.configAt(TOPIC, INCARNATION, T + 5).orElseThrow());
        assertEquals(second, snapshots.configAt(TOPIC, INCARNATION, Long.MAX_VALUE / 2).orElseThrow());
        assertTrue(first.sameSettings(TopicConfigSnapshot.of(TOPIC, INCARNATION, T + 7, "other", 3, 1,
                Map.of("retention.ms", "-1", "cleanup.policy", "compact"))), "the time and writer do not count");
        assertTrue(!first.sameSettings(second));
    }

    @Test
    void snapshotFoldersAreNeitherPartitionsNorIncarnations() throws Exception {
        SegmentFiles files = TestArchive.seal(tempDir.resolve("local"), TOPIC, 0, 0, 10, "w", TestArchive.T0);
        store.upload(files, TestArchive.meta(files));
        store.register(ArchivePartition.of(TestArchive.meta(files)), List.of(TestArchive.meta(files)));
        snapshots.write(groups(T, 10));
        snapshots.write(TopicConfigSnapshot.of(TOPIC, INCARNATION, T, "w", 1, 1, Map.of()));
        ArchiveCatalog catalog = store.catalog();
        assertEquals(List.of(TOPIC), catalog.topics());
        assertEquals(List.of(INCARNATION), catalog.incarnations(TOPIC).stream().map(ArchiveCatalog.Entry::incarnation)
                .toList());
        assertEquals(List.of(0), catalog.partitions(TOPIC, INCARNATION));
        assertEquals(10, store.view(new ArchivePartition(TOPIC, INCARNATION, 0)).endOffset());
    }

    @Test
    void aSnapshotCopiedIntoAnotherIncarnationsFolderIsRefused() throws Exception {
        Incarnation other = new Incarnation("other-cluster", "other-topic");
        String key = new SnapshotLayout(store.layout()).groupsKey(TOPIC, other, T, "w");
        store.backend().putIfMatch(key, groups(T, 10).toBytes(), null);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class,
                () -> snapshots.groupsAt(TOPIC, other, T));
        assertTrue(e.getMessage().contains("not the incarnation of its folder"), e.getMessage());
    }

    @Test
    void aNewerFormatIsRefusedNamingTheObject() throws Exception {
        String key = new SnapshotLayout(store.layout()).configKey(TOPIC, INCARNATION, T, "w");
        store.backend().putIfMatch(key, new String(TopicConfigSnapshot.of(TOPIC, INCARNATION, T, "w", 1, 1, Map.of())
                .toBytes(), StandardCharsets.UTF_8).replace("\"formatVersion\" : 1", "\"formatVersion\" : 2")
                .getBytes(StandardCharsets.UTF_8), null);
        Exception e = assertThrows(Exception.class, () -> snapshots.configAt(TOPIC, INCARNATION, T));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains("upgrade"), e.getMessage());
    }

    @Test
    void formatsReadBackAsWritten() throws Exception {
        GroupOffsetsSnapshot g = groups(T, 5);
        assertEquals(g, GroupOffsetsSnapshot.fromBytes(g.toBytes(), "g"));
        assertArrayEquals(g.toBytes(), GroupOffsetsSnapshot.fromBytes(g.toBytes(), "g").toBytes());
        OffsetSync s = new OffsetSync(TOPIC, INCARNATION.id(), 2, "orders.restored", "tid", 2, 10, 30, 100, 15, T,
                "replay-0");
        assertEquals(s, OffsetSync.fromValue(s.value()));
        assertEquals("{\"targetTopicId\":\"tid\",\"targetPartition\":2,\"targetFirst\":100}",
                new String(s.key(), StandardCharsets.UTF_8));
        assertEquals(114, s.targetLast());
        assertTrue(!s.dense());
        assertThrows(IllegalArgumentException.class, () -> OffsetSync.fromValue("{\"formatVersion\":9}"
                .getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> new OffsetSync(TOPIC, "i", 0, "t", "id", 0, 10, 12, 0, 4,
                0, "w"), "4 records cannot have 3 offsets");
    }
}
