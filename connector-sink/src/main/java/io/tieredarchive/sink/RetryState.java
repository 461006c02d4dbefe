package io.tieredarchive.sink;

import io.tieredarchive.failure.Backoff;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * What the sink task remembers about failed writes until Connect has delivered the failed batch again:
 * <ul>
 *   <li>per partition rewound after a failure, the records of the failed batch it delivered (by identity: Connect
 *       delivers the same instances again). Those copies are stale: the consumer was rewound before their offsets,
 *       and the records come again, in order, after the retried batch;</li>
 *   <li>how long to back off, doubling while failures repeat ({@link Backoff#SINK_WRITE}).</li>
 * </ul>
 * Everything is kept per partition: a partition assigned or revoked changes nothing of what is remembered about
 * another one. That matters with incremental rebalances (the cooperative assignor, KIP-848): Connect then keeps
 * the other partitions' records in the batch it retries (it drops only the revoked partitions' records, see
 * {@code WorkerSinkTask.onPartitionsRemoved}), so forgetting them would let a stale copy through, past the rewind
 * point, and the rewound records would then be skipped as archived: lost. Task thread only.
 */
final class RetryState {

    private final Map<TopicPartition, Set<SinkRecord>> stale = new HashMap<>();
    private final Backoff.Tracker backoff;
    private boolean redelivering;

    RetryState(LongSupplier clock) {
        this.backoff = Backoff.SINK_WRITE.tracker(clock);
    }

    /**
     * A write of {@code rewound} failed while {@code batch} was being put: its records in the batch are stale.
     *
     * @return how long Connect should wait before the next put()
     */
    long failed(TopicPartition rewound, Collection<SinkRecord> batch) {
        Set<SinkRecord> copies = stale.computeIfAbsent(rewound,
                tp -> Collections.newSetFromMap(new IdentityHashMap<>()));
        for (SinkRecord r : batch) {
            if (rewound.equals(partitionOf(r))) {
                copies.add(r);
            }
        }
        redelivering = true;
        return backoff.failed();
    }

    /** A failure that rewound nothing (the archive's end could not be told): back off only. */
    long failedWithoutRewind() {
        redelivering = true;
        return backoff.failed();
    }

    /** True while Connect is expected to deliver a failed batch again: offsets may go back. */
    boolean redelivering() {
        return redelivering;
    }

    /** True when {@code record} is a stale copy of a rewound partition's record from a failed batch. */
    boolean isStale(SinkRecord record) {
        if (stale.isEmpty()) {
            return false; // the common case: no failed batch is being delivered again
        }
        Set<SinkRecord> copies = stale.get(partitionOf(record));
        return copies != null && copies.contains(record);
    }

    /** put() went through: the failed batch has been delivered again, and no stale copy will come back. */
    void succeeded() {
        stale.clear();
        redelivering = false;
        backoff.succeeded();
    }

    /** Partitions closed on this task: Connect dropped their records from the batch it retries. */
    void forget(Collection<TopicPartition> closed) {
        closed.forEach(stale::remove);
    }

    /** Partitions with stale copies, for tests. */
    Set<TopicPartition> rewound() {
        return stale.keySet();
    }

    private static TopicPartition partitionOf(SinkRecord r) {
        return new TopicPartition(r.originalTopic(), r.originalKafkaPartition());
    }
}
