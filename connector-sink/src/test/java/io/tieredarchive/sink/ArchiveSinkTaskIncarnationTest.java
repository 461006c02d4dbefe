package io.tieredarchive.sink;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.LocalTier;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.Incarnation;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A topic is archived by identity (cluster id, topic id), not by name alone: a topic deleted and created again, or
 * the same name on another cluster, is another incarnation, archived apart from its first offset, and nothing of it
 * is ever skipped as "already archived" because an older incarnation held the same offsets.
 */
class ArchiveSinkTaskIncarnationTest extends SinkTaskTestBase {

    @Test
    void aTopicRecreatedBetweenAssignmentsIsArchivedApartFromItsFirstOffset() throws Exception {
        ArchiveSinkTask before = start(new FakeSinkTaskContext());
        before.open(List.of(TP));
        before.put(records(TP, 0, 100));
        before.close(List.of(TP));
        Incarnation old = identities.of(TOPIC);
        Incarnation recreated = identities.recreate(TOPIC, 0);

        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        task.open(List.of(TP));
        assertEquals(Map.of(TP, 0L), context.takeOffsets(), "moved to the new incarnation's first offset at once");
        task.put(records(TP, 100, 120)); // a committed offset left from the old topic, delivered before the seek
        assertEquals(Map.of(TP, 0L), context.takeOffsets(), "rewound to the new incarnation's first offset");
        task.put(records(TP, 0, 50));
        task.close(List.of(TP));

        assertEquals(LongStream.range(0, 50).boxed().toList(), ArchiveContents.offsets(dir(TP)),
                "every record of the new topic is archived, none skipped");
        assertTrue(markers(dir(TP)).stream().allMatch(m -> Incarnation.of(m).equals(recreated)));
        Path retired = onlyRetired(TP);
        assertEquals(LongStream.range(0, 100).boxed().toList(), ArchiveContents.offsets(retired),
                "the old incarnation's segments are kept, apart");
        assertTrue(markers(retired).stream().allMatch(m -> Incarnation.of(m).equals(old)));
    }

    @Test
    void offsetsGoingBackBecauseTheTopicWasRecreatedOpenTheNewIncarnation() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        task.open(List.of(TP));
        task.put(records(TP, 0, 100));
        Incarnation recreated = identities.recreate(TOPIC, 0);
        task.put(records(TP, 0, 30)); // the consumer's position was out of range on the new topic: reset to 0
        task.put(records(TP, 30, 60));
        task.close(List.of(TP));
        assertEquals(LongStream.range(0, 60).boxed().toList(), ArchiveContents.offsets(dir(TP)));
        assertTrue(markers(dir(TP)).stream().allMatch(m -> Incarnation.of(m).equals(recreated)));
        assertEquals(LongStream.range(0, 100).boxed().toList(), ArchiveContents.offsets(onlyRetired(TP)),
                "what was archived of the old topic is sealed, apart");
    }

    @Test
    void offsetsGoingBackOnTheSameTopicAreSkippedAfterOneCheck() throws Exception {
        ArchiveSinkTask task = start(new FakeSinkTaskContext());
        task.open(List.of(TP));
        task.put(records(TP, 0, 100));
        int calls = identities.calls;
        task.put(records(TP, 50, 120)); // Connect rewound to 50 (a failed commit elsewhere): same topic
        assertEquals(calls + 1, identities.calls, "one identity check for the whole run");
        task.close(List.of(TP));
        assertEquals(LongStream.range(0, 120).boxed().toList(), ArchiveContents.offsets(dir(TP)));
    }

    @Test
    void whenKafkaCannotSayWhetherTheTopicChangedNothingIsSkipped() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        task.open(List.of(TP));
        task.put(records(TP, 0, 100));
        identities.unavailable = true;
        assertThrows(RetriableException.class, () -> task.put(records(TP, 0, 10)));
        identities.unavailable = false;
        Incarnation recreated = identities.recreate(TOPIC, 0);
        task.put(records(TP, 0, 10)); // Connect delivers the batch again
        task.close(List.of(TP));
        assertEquals(LongStream.range(0, 10).boxed().toList(), ArchiveContents.offsets(dir(TP)));
        assertTrue(markers(dir(TP)).stream().allMatch(m -> Incarnation.of(m).equals(recreated)));
    }

    @Test
    void aTopicRecreatedWithoutOffsetsGoingBackIsFoundByThePeriodicCheck() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        task.open(List.of(TP));
        task.put(records(TP, 0, 100));
        Incarnation recreated = identities.recreate(TOPIC, 0);
        clock.addAndGet(ArchiveSinkTask.IDENTITY_CHECK_INTERVAL_MS);
        task.put(records(TP, 100, 110)); // the consumer went on at 100 in the new topic: its 0..99 were never read
        assertEquals(Map.of(TP, 0L), context.takeOffsets(), "rewound to the new incarnation's first offset");
        task.put(records(TP, 0, 110));
        task.close(List.of(TP));
        assertEquals(LongStream.range(0, 110).boxed().toList(), ArchiveContents.offsets(dir(TP)));
        assertTrue(markers(dir(TP)).stream().allMatch(m -> Incarnation.of(m).equals(recreated)));
    }

    /**
     * A new broker (another cluster id) with yesterday's local.dir: its segments say offsets 0..2999 are archived,
     * but they are another cluster's. They never count: the new cluster's records are all archived, and nothing
     * of them is committed before its own segments are in the store.
     */
    @Test
    void aLocalDirLeftFromAnotherClusterCountsForNothing() throws Exception {
        ArchiveSinkTask yesterday = start(new FakeSinkTaskContext(), Map.of("commit.mode", "remote"));
        yesterday.open(List.of(TP));
        yesterday.put(records(TP, 0, 3000));
        yesterday.close(List.of(TP));
        yesterday.stop();
        tasks.remove(yesterday);
        identities.moveToCluster("new-cluster");

        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context, Map.of("commit.mode", "remote"));
        task.open(List.of(TP));
        assertEquals(Map.of(TP, 0L), context.takeOffsets(), "a new incarnation is archived from its first offset");
        task.put(records(TP, 0, 500));
        expire();
        task.put(records(TP, 500, 600));
        assertEquals(Map.of(), context.takeOffsets(), "nothing skipped: the new cluster starts at 0");
        assertEquals(committed(0), task.preCommit(consumed(TP, 600)).get(TP), "nothing in the store yet");
        tiers.of(localDir).runPass();
        assertEquals(committed(500), task.preCommit(consumed(TP, 600)).get(TP), "what the store holds now");
        task.close(List.of(TP));
        assertEquals(LongStream.range(0, 600).boxed().toList(), ArchiveContents.offsets(dir(TP)));
        tiers.of(localDir).runPass();
        ArchivePartition newArchive = archived(TP);
        assertEquals("new-cluster", newArchive.incarnation().clusterId());
        assertEquals(600, tiers.store().view(newArchive).endOffset());
        ArchivePartition oldArchive = new ArchivePartition(TOPIC, new Incarnation(TestIdentities.CLUSTER,
                TOPIC + "-id-0"), 0);
        assertEquals(3000, tiers.store().view(oldArchive).endOffset(),
                "yesterday's segments reach the store too, under their own incarnation");
    }

    /** The bucket emptied (or replaced by an empty one of the same name): what it holds now counts. */
    @Test
    void segmentsMarkedTieredForAnEmptiedBucketAreUploadedAgain() throws Exception {
        ArchiveSinkTask yesterday = start(new FakeSinkTaskContext(), Map.of("commit.mode", "remote",
                "local.retention.ms", "-1"));
        yesterday.open(List.of(TP));
        yesterday.put(records(TP, 0, 100));
        yesterday.close(List.of(TP));
        tiers.of(localDir).runPass();
        assertEquals(100, tiers.store().view(archived(TP)).endOffset());
        yesterday.stop();
        tasks.remove(yesterday);
        ArchiveSinkTaskTest.deleteRecursively(bucket);
        Files.createDirectories(bucket);

        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context, Map.of("commit.mode", "remote", "local.retention.ms", "-1"));
        task.open(List.of(TP));
        task.put(records(TP, 100, 150));
        assertEquals(committed(100), task.preCommit(consumed(TP, 150)).get(TP),
                "not beyond what the emptied bucket holds: its .tiered file no longer counts");
        assertFalse(LocalTier.isTiered(SegmentFiles.of(dir(TP), 0)));
        tiers.of(localDir).runPass();
        assertEquals(100, tiers.store().view(archived(TP)).endOffset(), "uploaded again");
        task.close(List.of(TP));
    }

    /** The segments of a config's old destination drain there; the new archive goes on where the old one ended. */
    @Test
    void aChangedDestinationDrainsTheOldSegmentsAndTheNewArchiveGoesOnAfterThem() throws Exception {
        ArchiveSinkTask before = start(new FakeSinkTaskContext());
        before.open(List.of(TP));
        before.put(records(TP, 0, 100));
        before.close(List.of(TP));
        String oldDestination = tiers.store().destination();

        tiers.prefix = "moved"; // the connector now names another prefix (same bucket directory here)
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        task.open(List.of(TP));
        task.put(records(TP, 40, 100)); // committed 40 before the change
        assertEquals(Map.of(TP, 100L), context.takeOffsets(), "offsets below 100 drain to the old destination");
        task.put(records(TP, 100, 150));
        task.close(List.of(TP));
        tiers.of(localDir).runPass();
        assertEquals(LongStream.range(100, 150).boxed().toList(), ArchiveContents.offsets(dir(TP)));
        assertEquals(100, tiers.store("").view(archived(TP)).endOffset(), "0..99 in the old destination");
        assertEquals(150, tiers.store("moved").view(archived(TP)).endOffset(), "100..149 in the new one");
        assertTrue(tiers.store("moved").view(archived(TP)).segments().stream().allMatch(m -> m.baseOffset() >= 100),
                "nothing in both");
        assertFalse(oldDestination.equals(tiers.store("moved").destination()));
    }

    private static List<SegmentMetadata> markers(Path dir) throws Exception {
        List<SegmentMetadata> metas = new java.util.ArrayList<>();
        for (SegmentFiles f : ArchiveContents.sealed(dir)) {
            metas.add(SegmentMetadata.read(f.marker()));
        }
        return metas;
    }

    private Path onlyRetired(TopicPartition tp) throws IOException {
        try (Stream<Path> entries = Files.list(localDir)) {
            List<Path> retired = entries.filter(p -> p.getFileName().toString()
                    .startsWith(tp.topic() + "-" + tp.partition() + LocalTier.RETIRED_INFIX)).toList();
            assertEquals(1, retired.size(), "one retired directory: " + retired);
            return retired.get(0);
        }
    }

    @Test
    void aTaskOfAnotherConnectorArchivingElsewhereRefusesToStartOnTheSameLocalDir() {
        start(new FakeSinkTaskContext());
        tiers.prefix = "elsewhere";
        org.apache.kafka.connect.errors.ConnectException e = assertThrows(
                org.apache.kafka.connect.errors.ConnectException.class,
                () -> start(new FakeSinkTaskContext(), Map.of("name", "another")));
        assertTrue(e.getMessage().contains("connector 'unit'") && e.getMessage().contains("'another'"),
                e.getMessage());
    }
}
