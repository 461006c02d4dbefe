package io.tieredarchive.source.copy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartBufferPoolTest {

    @Test
    void aLeaseWaitsWhileEveryBufferIsLeased() throws Exception {
        PartBufferPool pool = new PartBufferPool(2, 1024);
        PartBufferPool.Lease a = pool.lease(1024);
        PartBufferPool.Lease b = pool.lease(10);
        assertEquals(1034, pool.leasedBytes());
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Future<PartBufferPool.Lease> third = executor.submit(() -> pool.lease(512));
        assertThrows(TimeoutException.class, () -> third.get(200, TimeUnit.MILLISECONDS));
        a.close();
        PartBufferPool.Lease c = third.get(5, TimeUnit.SECONDS);
        assertEquals(512, c.buffer().limit());
        assertEquals(0, c.buffer().position());
        b.close();
        c.close();
        c.close();
        assertEquals(0, pool.leasedBytes());
        assertEquals(2048, pool.allocatedBytes(), "two buffers, reused");
        assertEquals(1546, pool.leasedBytesTotal());
        executor.shutdownNow();
    }

    @Test
    void theBoundHoldsUnderConcurrentUse() throws Exception {
        int buffers = 4;
        int size = 64 * 1024;
        PartBufferPool pool = new PartBufferPool(buffers, size);
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(16);
        List<Future<?>> futures = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        long[] total = new long[1];
        Random random = new Random(5);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            sizes.add(random.nextInt(size + 1));
        }
        for (int s : sizes) {
            total[0] += s;
            futures.add(executor.submit(() -> {
                go.await();
                try (PartBufferPool.Lease lease = pool.lease(s)) {
                    maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                    lease.buffer().put(0, (byte) 1);
                    Thread.onSpinWait();
                    holders.decrementAndGet();
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        executor.shutdown();
        assertTrue(maxHolders.get() <= buffers, "at most " + buffers + " holders, saw " + maxHolders.get());
        assertTrue(pool.peakLeasedBytes() <= pool.limitBytes(), "peak " + pool.peakLeasedBytes());
        assertTrue(pool.allocatedBytes() <= pool.limitBytes(), "allocated " + pool.allocatedBytes());
        assertEquals(total[0], pool.leasedBytesTotal());
        assertEquals(0, pool.leasedBytes());
    }

    @Test
    void aDiscardedBufferIsNotHandedOutAgain() throws Exception {
        PartBufferPool pool = new PartBufferPool(1, 100);
        PartBufferPool.Lease lease = pool.lease(100);
        java.nio.ByteBuffer first = lease.buffer();
        lease.discard();
        lease.close();
        assertEquals(0, pool.allocatedBytes());
        try (PartBufferPool.Lease next = pool.lease(50)) {
            assertTrue(next.buffer() != first);
            assertEquals(100, pool.allocatedBytes());
        }
    }

    @Test
    void refusesLeasesLargerThanABuffer() {
        PartBufferPool pool = new PartBufferPool(1, 100);
        assertThrows(IllegalArgumentException.class, () -> pool.lease(101));
        assertThrows(IllegalArgumentException.class, () -> new PartBufferPool(1, 3L << 30));
    }
}
