package io.tieredarchive.sink;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write failure while partitions are assigned or revoked incrementally (the cooperative assignor, KIP-848):
 * Connect then keeps the other partitions' records in the batch it retries (it drops only the revoked partitions'
 * records), so what the task remembers about the failed batch must survive the assignment of other partitions.
 */
class ArchiveSinkTaskIncrementalRebalanceTest extends SinkTaskTestBase {

    private static final TopicPartition OTHER = new TopicPartition(TOPIC, 1);
    private static final TopicPartition THIRD = new TopicPartition(TOPIC, 2);

    /**
     * The sequence of issue 12: the active segment holds 100..150; writing 151..200 fails, the segment is aborted
     * and the consumer rewound to 100; another partition is assigned; Connect retries the stale 151..200, then
     * delivers 100..200 again. Forgetting the failed batch on the assignment let 151..200 in at the rewind point,
     * and 100..150 were then skipped as archived: lost, and 201 committed.
     */
    @Test
    void aPartitionAssignedBetweenAFailureAndItsRetryDoesNotLetStaleRecordsIn() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        task.open(List.of(TP));
        task.put(records(TP, 100, 151)); // active segment: 100..150
        ArchiveSinkTaskTest.deleteRecursively(dir(TP)); // sealing it must fail
        expire();
        List<SinkRecord> failing = records(TP, 151, 201);
        assertThrows(RetriableException.class, () -> task.put(failing));
        assertEquals(Map.of(TP, 100L), context.takeOffsets(), "rewound to the aborted segment's first record");

        task.open(List.of(OTHER)); // an incremental rebalance adds a partition; Connect keeps its retry batch

        task.put(failing); // the retried batch: stale, dropped
        task.put(records(TP, 100, 201)); // then the redelivery from the rewind point
        task.close(List.of(TP, OTHER));
        assertEquals(LongStream.range(100, 201).boxed().toList(), ArchiveContents.offsets(dir(TP)),
                "100..200 archived once, in order, no gap");
    }

    /** Revoking a partition forgets its own stale copies (Connect drops them), and only those. */
    @Test
    void revokingAnotherPartitionKeepsTheFailedPartitionsStaleCopies() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = start(context);
        task.open(List.of(TP, OTHER, THIRD));
        task.put(records(TP, 0, 40));
        task.put(records(OTHER, 0, 10));
        ArchiveSinkTaskTest.deleteRecursively(dir(TP));
        expire();
        List<SinkRecord> failing = new ArrayList<>(records(THIRD, 0, 5));
        failing.addAll(records(TP, 40, 60));
        assertThrows(RetriableException.class, () -> task.put(failing));
        assertEquals(Map.of(TP, 0L), context.takeOffsets(), "rewound to the aborted segment's first record");

        task.close(List.of(OTHER)); // OTHER revoked: Connect drops OTHER's records (none) from the retry batch
        assertEquals(List.of(TP), List.copyOf(task.retryState().rewound()));

        task.put(failing); // THIRD's records are delivered for the first time, TP's are stale
        task.put(records(TP, 0, 60));
        task.close(List.of(TP, THIRD));
        assertEquals(LongStream.range(0, 60).boxed().toList(), ArchiveContents.offsets(dir(TP)));
        assertEquals(LongStream.range(0, 5).boxed().toList(), ArchiveContents.offsets(dir(THIRD)));
    }

    /**
     * Connect skips a commit equal to its last committed offsets. On KIP-848's consumer that skip, at a revocation,
     * kills the task: the last committed map then is the async commit's unmodifiable one, and Connect's revocation
     * removes the revoked partitions from it ({@code UnsupportedOperationException} in
     * {@code SinkTaskMetricsGroup.clearOffsets}, Connect 4.3.1). So an offset the task returned before is returned
     * again with other metadata, and no commit of the task is ever equal to the last one.
     */
    @Test
    void anUnchangedOffsetIsReturnedWithNewMetadataSoThatConnectNeverSkipsTheCommit() throws Exception {
        ArchiveSinkTask task = start(new FakeSinkTaskContext());
        task.open(List.of(TP));
        task.put(records(TP, 0, 10));
        expire();
        OffsetAndMetadata first = task.preCommit(consumed(TP, 10)).get(TP);
        OffsetAndMetadata again = task.preCommit(consumed(TP, 10)).get(TP);
        OffsetAndMetadata third = task.preCommit(consumed(TP, 10)).get(TP);
        assertEquals(committed(10), first);
        assertEquals(10, again.offset());
        assertEquals(10, third.offset());
        assertNotEquals(first, again, "the same offset again, with other metadata");
        assertNotEquals(again, third);
        assertTrue(again.metadata().startsWith(ArchiveSinkTask.COMMIT_METADATA), again.metadata());

        task.put(records(TP, 10, 20));
        expire();
        assertEquals(committed(20), task.preCommit(consumed(TP, 20)).get(TP), "a new offset: the usual metadata");
    }

    /**
     * The same skip, for a partition revoked before any record of it reached the task (a second task joining just
     * after the first opened everything): the task knew no position of its own, returned nothing for it, Connect
     * fell back to its last committed offset and skipped the commit (ArchiveSinkCrashNewProtocolIT, task failed at
     * {@code clearOffsets}). Connect's current offset of such a partition is where its consumer was put when the
     * partition was assigned (or where the task seeked it), below which nothing is the task's to archive: the task
     * returns it, with metadata never returned before.
     */
    @Test
    void aPartitionWithoutRecordsSinceOpenIsCommittedWhereConnectHasItSoThatConnectNeverSkipsTheCommit()
            throws Exception {
        ArchiveSinkTask task = start(new FakeSinkTaskContext());
        TopicPartition quiet = new TopicPartition(TOPIC, 1);
        task.open(List.of(TP, quiet));
        task.put(records(TP, 0, 10));
        OffsetAndMetadata first = task.preCommit(consumed(quiet, 7)).get(quiet);
        OffsetAndMetadata again = task.preCommit(consumed(quiet, 7)).get(quiet);
        assertEquals(7, first.offset(), "where Connect has the partition: " + first);
        assertTrue(first.metadata().startsWith(ArchiveSinkTask.COMMIT_METADATA + "#"), first.metadata());
        assertEquals(7, again.offset());
        assertNotEquals(first, again, "never the same commit twice");
    }
}
