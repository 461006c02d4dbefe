package io.tieredarchive.sink;

import io.tieredarchive.failure.Failures;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Which incarnation of each assigned partition a sink task archives: opens assigned partitions (again later when
 * S3 or Kafka could not tell where their archive ends), and opens a partition again as the new incarnation when
 * its topic was deleted and created again. Whatever cannot be decided now is a {@link RetriableException} after
 * {@code context.timeout(backoff)}, thrown before any record of the batch is written, so nothing is archived from
 * a guessed position.
 */
final class PartitionOpening {

    private static final Logger log = LoggerFactory.getLogger(PartitionOpening.class);

    private final PartitionOpener opener;
    private final OpenPartitions partitions;
    private final IdentityWatch identityWatch;
    private final RetryState retry;
    private final SinkTaskContext context;
    private final Consumer<TopicPartition> close;

    /** {@code close} seals and forgets an open partition, as the task's close() does. */
    PartitionOpening(PartitionOpener opener, OpenPartitions partitions, IdentityWatch identityWatch,
                     RetryState retry, SinkTaskContext context, Consumer<TopicPartition> close) {
        this.opener = opener;
        this.partitions = partitions;
        this.identityWatch = identityWatch;
        this.retry = retry;
        this.context = context;
        this.close = close;
    }

    /** Opens the newly assigned partitions among {@code assigned}. */
    void open(Collection<TopicPartition> assigned) {
        opener.open(assigned.stream().filter(tp -> !partitions.contains(tp) && !opener.isPending(tp)).toList(),
                this::opened);
    }

    /**
     * Before a batch: opens the partitions S3 or Kafka could not tell about yet, and opens again as their new
     * incarnation the partitions whose topic the periodic identity check found recreated.
     */
    void beforeBatch() {
        if (opener.hasPending()) {
            try {
                opener.openPending(this::opened);
            } catch (PartitionOpener.NotNowException e) {
                throw backOff("Cannot tell where an assigned partition's archive ends: " + e.getMessage(), e);
            }
        }
        identityWatch.changed(partitions.all()).forEach(this::reopen);
    }

    /**
     * Offsets of {@code partition} went back outside a redelivery: checks that its topic is still the archived
     * incarnation (the records are then skipped as archived), else opens the partition again as the new one.
     * Returns the partition to archive the record into.
     */
    PartitionArchive verifyIdentity(PartitionArchive partition, long offset) {
        TopicPartition tp = partition.topicPartition();
        try {
            if (identityWatch.stillArchived(partition)) {
                log.info("{}: offsets went back to {}; the topic is still {}, so records below the archive's end "
                        + "are skipped as archived", tp, offset, partition.archivePartition().incarnation());
                partition.identityConfirmed(offset);
                return partition;
            }
        } catch (TopicIdentities.UnavailableException e) {
            throw backOff("Offsets of " + tp + " went back, and Kafka cannot say now whether the topic was "
                    + "recreated: " + e.getMessage(), e);
        }
        return reopen(tp);
    }

    /** Forgets what is pending of the closed partitions. */
    void forget(TopicPartition tp) {
        opener.forget(tp);
    }

    void clear() {
        opener.clear();
    }

    /**
     * An opened partition: a new incarnation of a topic the archive knows an older one of is archived from its
     * first offset, so the consumer is moved there at once (Connect applies it right after open()), not only when
     * a record past it comes: a quiet topic's first records would otherwise wait for the next one.
     */
    private void opened(PartitionArchive partition) {
        partitions.add(partition);
        if (partition.rewindTo() >= 0) {
            context.offset(partition.topicPartition(), partition.rewindTo());
        }
    }

    /**
     * The topic of {@code tp} is another incarnation now (deleted and created again): seals what was archived of
     * the old one and opens the partition again, as the new incarnation.
     */
    private PartitionArchive reopen(TopicPartition tp) {
        log.warn("{}: the topic is not the incarnation being archived any more (deleted and created again); sealing "
                + "what was archived of the old one and archiving the new one apart", tp);
        close.accept(tp);
        opener.open(List.of(tp), this::opened);
        PartitionArchive reopened = partitions.get(tp);
        if (reopened == null) {
            throw backOff("Cannot open " + tp + " as its new incarnation yet", null);
        }
        return reopened;
    }

    /**
     * Backs off and retries, whatever the failure: S3 trouble never fails the sink task. What only an operator can
     * fix (a missing bucket, access denied) is logged at ERROR, every attempt, naming the bucket and key.
     */
    private RetriableException backOff(String message, Exception cause) {
        long wait = retry.failedWithoutRewind();
        context.timeout(wait);
        if (cause != null && Failures.needsOperator(Failures.kind(cause))) {
            log.error("{}; retrying in {} ms", message, wait);
        } else {
            log.warn("{}; retrying in {} ms", message, wait);
        }
        return new RetriableException(message, cause);
    }
}
