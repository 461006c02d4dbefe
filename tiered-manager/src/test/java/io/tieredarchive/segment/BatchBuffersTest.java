package io.tieredarchive.segment;

import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchBuffersTest {

    @Test
    void anArrayGivenBackIsTakenAgainForTheSameSize() {
        byte[] array = BatchBuffers.take(1 << 20);
        assertEquals(1 << 20, array.length);
        BatchBuffers.give(array);
        assertSame(array, BatchBuffers.take(1 << 20));
    }

    @Test
    void smallAndOddSizedArraysAreNotKept() {
        byte[] small = new byte[BatchBuffers.FROM_BYTES / 2];
        BatchBuffers.give(small);
        assertNotSame(small, BatchBuffers.take(small.length));
        byte[] odd = new byte[100_000]; // a batch of one large record: its size is never asked for again
        BatchBuffers.give(odd);
        assertNotSame(odd, BatchBuffers.take(odd.length));
    }

    @Test
    void atMostFourArraysOfASizeAreKept() {
        int size = 256 * 1024;
        List<byte[]> given = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            given.add(new byte[size]);
        }
        given.forEach(BatchBuffers::give);
        Map<byte[], Boolean> reused = new IdentityHashMap<>();
        given.forEach(a -> reused.put(a, Boolean.TRUE));
        int taken = 0;
        for (int i = 0; i < 6; i++) {
            if (reused.containsKey(BatchBuffers.take(size))) {
                taken++;
            }
        }
        assertTrue(taken <= 4, "kept " + taken);
    }

    /** A writer's batch grows into pooled arrays and gives them back once written: the next batch reuses them. */
    @Test
    void aFullBatchLeavesItsArraysForTheNextBatch() throws Exception {
        byte[] oneMiB = BatchBuffers.take(1 << 20);
        BatchBuffers.give(oneMiB);
        OpenBatch batch = OpenBatch.start(TimestampType.CREATE_TIME, 0, 0, 1 << 20, 10);
        for (int i = 0; i < 600; i++) {
            batch.append(new ArchivedRecord(i, 0, TimestampType.CREATE_TIME, null, new byte[1000]));
        }
        assertEquals(1 << 20, batch.retainedBytes(), "600 KB of records grew to the 1 MiB size");
        batch.release();
        assertSame(oneMiB, BatchBuffers.take(1 << 20), "given back on release");
    }
}
