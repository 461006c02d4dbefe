package io.tieredarchive.sink;

import io.tieredarchive.segment.SegmentException;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BufferBudgetTest {

    /** A partition's open batch: grows by what is appended, empties when flushed. */
    static final class FakeBuffer implements BufferBudget.Buffer {
        int bytes;
        int flushes;
        boolean failing;

        @Override
        public int bufferedBytes() {
            return bytes;
        }

        @Override
        public void flushBuffer() throws SegmentException {
            if (failing) {
                throw new SegmentException("disk full");
            }
            bytes = 0;
            flushes++;
        }
    }

    @Test
    void limitIsSixteenBatchesCappedAt64MiBButNeverBelowTwoBatches() {
        assertEquals(16L * 1024 * 1024, BufferBudget.limitFor(1024 * 1024));
        assertEquals(16L * 1024, BufferBudget.limitFor(1024));
        assertEquals(64L * 1024 * 1024, BufferBudget.limitFor(8 * 1024 * 1024));
        assertEquals(128L * 1024 * 1024, BufferBudget.limitFor(64 * 1024 * 1024));
    }

    @Test
    void flushesTheLargestBuffersFirst() throws Exception {
        BufferBudget budget = new BufferBudget(1000);
        FakeBuffer small = new FakeBuffer();
        FakeBuffer large = new FakeBuffer();
        FakeBuffer medium = new FakeBuffer();
        small.bytes = 100;
        large.bytes = 500;
        medium.bytes = 300;
        budget.update(small);
        budget.update(large);
        budget.update(medium);
        assertEquals(900, budget.bufferedBytes());

        budget.reserve(200 - BufferBudget.RESERVE_SLACK); // 900 + 200 > 1000: the largest goes first
        assertEquals(1, large.flushes);
        assertEquals(0, medium.flushes);
        assertEquals(400, budget.bufferedBytes());
        assertEquals(1, budget.forcedFlushes());

        budget.reserve(901 - BufferBudget.RESERVE_SLACK); // needs everything else too, medium before small
        assertEquals(1, medium.flushes);
        assertEquals(1, small.flushes);
        assertEquals(0, budget.bufferedBytes());
        assertEquals(900, budget.peakBytes());
    }

    @Test
    void aBufferThatGrewSinceTheLastChoiceIsChosenByItsSizeNowAndARemovedOneNever() throws Exception {
        BufferBudget budget = new BufferBudget(1000);
        FakeBuffer first = new FakeBuffer();
        FakeBuffer second = new FakeBuffer();
        FakeBuffer closed = new FakeBuffer();
        first.bytes = 300;
        budget.update(first);
        second.bytes = 200;
        budget.update(second);
        closed.bytes = 400;
        budget.update(closed);
        budget.reserve(10); // 900 + 10 + the slack fit: nothing chosen
        budget.remove(closed); // its partition closed, its batch still reporting bytes
        second.bytes = 600;
        budget.update(second);
        assertEquals(900, budget.bufferedBytes());

        budget.reserve(200 - BufferBudget.RESERVE_SLACK);
        assertEquals(1, second.flushes, "the buffer largest now, not when it was last chosen among");
        assertEquals(0, first.flushes);
        assertEquals(0, closed.flushes, "a removed buffer is never flushed by the budget");
        assertEquals(300, budget.bufferedBytes());

        second.bytes = 50;
        budget.update(second);
        budget.reserve(700 - BufferBudget.RESERVE_SLACK);
        assertEquals(1, first.flushes);
        assertEquals(1, second.flushes, "350 + 700 > 1000: flushing the 300 is enough");
        assertEquals(50, budget.bufferedBytes());
    }

    @Test
    void manyPartitionsNeverTakeTheTotalPastTheLimit() throws Exception {
        BufferBudget budget = new BufferBudget(BufferBudget.limitFor(1024));
        List<FakeBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            buffers.add(new FakeBuffer());
        }
        Random random = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            FakeBuffer buffer = buffers.get(random.nextInt(buffers.size()));
            int record = 20 + random.nextInt(300);
            budget.reserve(record);
            buffer.bytes += record + (buffer.bytes == 0 ? 61 : 0); // a new batch starts with its header
            if (buffer.bytes > 1024) {
                buffer.bytes = 0; // the writer writes a full batch out by itself
            }
            budget.update(buffer);
            assertTrue(budget.bufferedBytes() <= budget.limit(), budget.bufferedBytes() + " at step " + i);
        }
        assertTrue(budget.peakBytes() <= budget.limit());
        assertTrue(budget.forcedFlushes() > 1000, "forced flushes: " + budget.forcedFlushes());
        long sum = buffers.stream().mapToLong(b -> b.bytes).sum();
        assertEquals(sum, budget.bufferedBytes(), "the accounting matches the buffers");
    }

    @Test
    void aFailedFlushNamesTheBufferAndKeepsItsAccounting() {
        BufferBudget budget = new BufferBudget(100);
        FakeBuffer broken = new FakeBuffer();
        broken.bytes = 90;
        broken.failing = true;
        budget.update(broken);
        BufferBudget.FlushFailedException e = assertThrows(BufferBudget.FlushFailedException.class,
                () -> budget.reserve(50));
        assertSame(broken, e.buffer());
        assertEquals("disk full", e.getCause().getMessage());
        assertEquals(90, budget.bufferedBytes());
        budget.remove(broken);
        assertEquals(0, budget.bufferedBytes());
    }
}
