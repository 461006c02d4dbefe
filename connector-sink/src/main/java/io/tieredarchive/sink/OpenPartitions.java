package io.tieredarchive.sink;

import io.tieredarchive.segment.SegmentException;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The partitions a sink task has open, with what is decided over all of them at once: which active segments are
 * old enough to seal ({@code segment.ms}), which offsets may be committed, and the gauges of active and assigned
 * partitions. The task decides what happens to each record; this class never talks to Connect.
 */
final class OpenPartitions {

    private static final Logger log = LoggerFactory.getLogger(OpenPartitions.class);

    private final Map<TopicPartition, PartitionArchive> partitions = new HashMap<>();
    private final BufferBudget budget;
    /** What {@link #committable} returned last, per partition; forgotten when the partition is closed. */
    private final Map<TopicPartition, OffsetAndMetadata> returned = new HashMap<>();
    private long repeats;
    private long nextAgeCheckMs = Long.MAX_VALUE;
    private volatile int active;
    private volatile int assigned;

    OpenPartitions(BufferBudget budget) {
        this.budget = budget;
    }

    boolean contains(TopicPartition tp) {
        return partitions.containsKey(tp);
    }

    /** The open partition of {@code tp}, or null. */
    PartitionArchive get(TopicPartition tp) {
        return partitions.get(tp);
    }

    void add(PartitionArchive partition) {
        partitions.put(partition.topicPartition(), partition);
    }

    /** Forgets {@code tp}; returns what was open for it, or null. */
    PartitionArchive remove(TopicPartition tp) {
        return partitions.remove(tp);
    }

    Collection<PartitionArchive> all() {
        return partitions.values();
    }

    /** A record was appended to {@code partition}: its active segment is due for sealing by age from then on. */
    void appended(PartitionArchive partition) {
        budget.update(partition);
        nextAgeCheckMs = Math.min(nextAgeCheckMs, partition.ageDeadlineMs());
    }

    /**
     * Seals the active segments older than {@code segment.ms}. A partition whose seal fails is handed to
     * {@code failed}; when {@code throwOnFailure}, the exception it returns is thrown at once and the partitions
     * not yet checked are checked on the next call, else it is only logged by {@code failed} and the others are
     * still sealed.
     */
    void sealExpired(long now, BiFunction<PartitionArchive, SegmentException, RuntimeException> failed,
                     boolean throwOnFailure) {
        if (now < nextAgeCheckMs) {
            return;
        }
        nextAgeCheckMs = Long.MAX_VALUE;
        for (PartitionArchive partition : partitions.values()) {
            try {
                partition.sealIfExpired(now);
                budget.update(partition);
            } catch (SegmentException e) {
                RuntimeException failure = failed.apply(partition, e);
                if (throwOnFailure) {
                    nextAgeCheckMs = now;
                    throw failure;
                }
            }
            nextAgeCheckMs = Math.min(nextAgeCheckMs, partition.ageDeadlineMs());
        }
    }

    /** When the oldest active segment reaches {@code segment.ms}; Long.MAX_VALUE when none is active. */
    long nextAgeDeadlineMs() {
        long deadline = Long.MAX_VALUE;
        for (PartitionArchive partition : partitions.values()) {
            deadline = Math.min(deadline, partition.ageDeadlineMs());
        }
        return deadline;
    }

    /**
     * For each open partition Connect asks about, the lower of Connect's current offset and the offset below which
     * every record is durable, with {@code metadata}; an offset returned before for the partition comes with
     * {@code metadata#n} instead, {@code n} new each time. A partition no record reached since it was opened gets
     * Connect's current offset (where its consumer was put), always with {@code metadata#n}.
     *
     * <p>Why never the same commit twice: Connect skips a commit equal to its last committed offsets, and on
     * KIP-848's consumer (Connect 4.3.1) a skipped commit at a revocation kills the task. The last committed map
     * then is the one the consumer handed to the async commit's callback, which is unmodifiable, and Connect's
     * revocation removes the revoked partitions from it ({@code UnsupportedOperationException} in
     * {@code WorkerSinkTask$SinkTaskMetricsGroup.clearOffsets}). A commit that differs is sent, synchronously at a
     * revocation, and replaces that map with one of Connect's own. It costs an offset commit per flush interval
     * when nothing moved.
     */
    Map<TopicPartition, OffsetAndMetadata> committable(Durability durability,
                                                       Map<TopicPartition, OffsetAndMetadata> currentOffsets,
                                                       String metadata) {
        Map<TopicPartition, OffsetAndMetadata> committable = new HashMap<>();
        for (PartitionArchive partition : partitions.values()) {
            TopicPartition tp = partition.topicPartition();
            OffsetAndMetadata current = currentOffsets.get(tp);
            if (current == null) {
                continue; // Connect did not ask: it would ignore an offset for it
            }
            long durable = partition.committable(durability.durableEnd(partition.archivePartition()));
            OffsetAndMetadata commit;
            if (durable < 0) {
                // No record since open: Connect's offset is where the consumer was put at assignment (or where the
                // task seeked it), as PartitionArchive.committable counts it once a record comes. Returned now, with
                // metadata never returned before, so that Connect never skips the commit: a commit skipped at a
                // revocation kills the task on KIP-848's consumer (ArchiveSinkTask.COMMIT_METADATA).
                commit = new OffsetAndMetadata(current.offset(), metadata + "#" + (++repeats));
            } else {
                long offset = Math.min(durable, current.offset());
                OffsetAndMetadata previous = returned.get(tp);
                commit = new OffsetAndMetadata(offset, previous != null && previous.offset() == offset
                        ? metadata + "#" + (++repeats) : metadata);
            }
            returned.put(tp, commit);
            committable.put(tp, commit);
        }
        return committable;
    }

    /**
     * Seals the active segment of {@code tp} and forgets the partition; a segment that cannot be sealed is deleted
     * (its records will be archived again by the partition's next owner). Returns the closed partition, or null
     * when it was not open.
     */
    PartitionArchive close(TopicPartition tp, long now, Runnable onAbort) {
        returned.remove(tp);
        PartitionArchive partition = partitions.remove(tp);
        if (partition == null) {
            return null;
        }
        try {
            partition.seal(now);
        } catch (SegmentException e) {
            long from = partition.abort(-1);
            onAbort.run();
            log.error("{}: cannot seal the active segment on close ({}); it was deleted and its records, from offset "
                    + "{}, will be archived again by the partition's next owner", tp, e.getMessage(), from);
        }
        budget.remove(partition);
        return partition;
    }

    /** Deletes every active segment and forgets every partition: their records will be archived again. */
    void abortAll() {
        returned.clear();
        for (PartitionArchive partition : partitions.values()) {
            partition.abort(-1);
        }
        partitions.clear();
    }

    /** Counts the active and the assigned partitions again, for the gauges (read on other threads). */
    void updateGauges() {
        int count = 0;
        for (PartitionArchive partition : partitions.values()) {
            if (partition.hasActiveSegment()) {
                count++;
            }
        }
        active = count;
        assigned = partitions.size();
    }

    int activeCount() {
        return active;
    }

    int assignedCount() {
        return assigned;
    }
}
