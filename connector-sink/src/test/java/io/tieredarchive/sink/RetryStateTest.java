package io.tieredarchive.sink;

import io.tieredarchive.failure.Backoff;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryStateTest {

    private static final TopicPartition A = new TopicPartition("t", 0);
    private static final TopicPartition B = new TopicPartition("t", 1);

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final RetryState retry = new RetryState(clock::get);

    @Test
    void onlyTheRewoundPartitionsCopiesOfTheFailedBatchAreStale() {
        List<SinkRecord> batch = new ArrayList<>(SinkTaskTestBase.records(A, 0, 3));
        batch.addAll(SinkTaskTestBase.records(B, 0, 3));
        retry.failed(A, batch);
        assertTrue(retry.redelivering());
        assertTrue(batch.subList(0, 3).stream().allMatch(retry::isStale));
        assertTrue(batch.subList(3, 6).stream().noneMatch(retry::isStale));
        assertFalse(retry.isStale(SinkTaskTestBase.record(A, 0)), "an equal record delivered anew is not stale");
    }

    @Test
    void otherPartitionsComingAndGoingChangeNothingOfWhatIsRemembered() {
        List<SinkRecord> batch = SinkTaskTestBase.records(A, 10, 20);
        retry.failed(A, batch);
        retry.forget(List.of(B));
        assertTrue(batch.stream().allMatch(retry::isStale));
        retry.forget(List.of(A));
        assertTrue(batch.stream().noneMatch(retry::isStale), "A revoked: Connect dropped its records");
    }

    @Test
    void aSuccessfulPutEndsTheRedeliveryAndTheBackoffDoublesUntilAQuietPeriod() {
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waits.add(retry.failed(A, SinkTaskTestBase.records(A, 0, 1)));
            retry.succeeded();
            clock.addAndGet(1_000);
        }
        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L), waits);
        assertFalse(retry.redelivering());
        clock.addAndGet(Backoff.SINK_WRITE.resetAfterMs());
        retry.succeeded();
        assertEquals(Backoff.SINK_WRITE.initialMs(), retry.failedWithoutRewind());
    }
}
