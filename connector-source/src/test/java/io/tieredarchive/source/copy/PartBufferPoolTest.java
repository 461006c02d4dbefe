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
    void aLeaseWaitsWhileTheBudgetIsSpent() throws Exception {
        PartBufferPool pool = new PartBufferPool(2, 1024, 0, 0, 0);
        PartBufferPool.Lease a = pool.lease(1024);
        PartBufferPool.Lease b = pool.lease(10);
        assertEquals(1066, pool.leasedBytes(), "two arrays with their 16-byte headers");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Future<PartBufferPool.Lease> third = executor.submit(() -> pool.lease(1024));
        assertThrows(TimeoutException.class, () -> third.get(200, TimeUnit.MILLISECONDS));
        a.close();
        PartBufferPool.Lease c = third.get(5, TimeUnit.SECONDS);
        assertEquals(1024, c.buffer().limit());
        assertEquals(0, c.buffer().position());
        assertEquals(1066, pool.allocatedBytes(), "the buffers of the open leases");
        b.close();
        c.close();
        c.close();
        assertEquals(0, pool.leasedBytes());
        assertEquals(0, pool.allocatedBytes(), "nothing held between copies");
        assertEquals(2058, pool.leasedBytesTotal());
        assertEquals(1066, pool.peakLeasedBytes());
        executor.shutdownNow();
    }

    @Test
    void everyLeaseAlsoReservesWhatTheSdkHoldsForItsRequest() throws Exception {
        PartBufferPool pool = new PartBufferPool(2, 1000, 100, 0, 0);
        PartBufferPool.Lease a = pool.lease(1000);
        assertEquals(1116, pool.leasedBytes(), "the buffer and the SDK's share");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Future<PartBufferPool.Lease> second = executor.submit(() -> pool.lease(1000));
        assertThrows(TimeoutException.class, () -> second.get(200, TimeUnit.MILLISECONDS),
                "two parts and their requests would pass the 2,000-byte bound");
        a.close();
        second.get(5, TimeUnit.SECONDS).close();
        assertTrue(pool.peakLeasedBytes() <= pool.limitBytes(), "peak " + pool.peakLeasedBytes());
        executor.shutdownNow();
    }

    @Test
    void theTasksOwnShareIsChargedForGood() throws Exception {
        PartBufferPool pool = new PartBufferPool(2, 1000, 0, 500, 0);
        assertEquals(500, pool.leasedBytes(), "the clients and threads");
        PartBufferPool.Lease a = pool.lease(1000);
        assertEquals(1516, pool.leasedBytes());
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Future<PartBufferPool.Lease> second = executor.submit(() -> pool.lease(1000));
        assertThrows(TimeoutException.class, () -> second.get(200, TimeUnit.MILLISECONDS));
        a.close();
        second.get(5, TimeUnit.SECONDS).close();
        assertEquals(500, pool.leasedBytes());
        assertEquals(1516, pool.peakLeasedBytes());
        executor.shutdownNow();
    }

    @Test
    void aLeaseLargerThanTheWholeBudgetGoesAloneAndLeasesGoInTurn() throws Exception {
        PartBufferPool pool = new PartBufferPool(1, 1000, 100, 0, 0);
        PartBufferPool.Lease alone = pool.lease(1000);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        Future<PartBufferPool.Lease> big = executor.submit(() -> pool.lease(1000));
        Thread.sleep(100);
        Future<PartBufferPool.Lease> small = executor.submit(() -> pool.lease(1));
        assertThrows(TimeoutException.class, () -> small.get(200, TimeUnit.MILLISECONDS),
                "a small lease does not overtake a large one that waits");
        alone.close();
        big.get(5, TimeUnit.SECONDS).close();
        small.get(5, TimeUnit.SECONDS).close();
        executor.shutdownNow();
    }

    @Test
    void anInterruptedWaitLeavesTheQueue() throws Exception {
        PartBufferPool pool = new PartBufferPool(1, 100, 0, 0, 0);
        PartBufferPool.Lease held = pool.lease(100);
        Thread waiter = new Thread(() -> {
            try {
                pool.lease(100);
            } catch (InterruptedException expected) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        Thread.sleep(100);
        waiter.interrupt();
        waiter.join(5_000);
        held.close();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.submit(() -> pool.lease(100)).get(5, TimeUnit.SECONDS).close();
        executor.shutdownNow();
    }

    @Test
    void theBoundHoldsUnderConcurrentUse() throws Exception {
        int buffers = 4;
        int size = 64 * 1024;
        PartBufferPool pool = new PartBufferPool(buffers, size, 1024, 0, 0);
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
        assertTrue(maxHolders.get() <= buffers * size / 1024, "holders " + maxHolders.get());
        assertTrue(pool.peakLeasedBytes() <= pool.limitBytes(), "peak " + pool.peakLeasedBytes());
        assertTrue(pool.allocatedBytes() <= pool.limitBytes(), "allocated " + pool.allocatedBytes());
        assertEquals(total[0], pool.leasedBytesTotal());
        assertEquals(0, pool.leasedBytes());
    }

    /** With G1, an array of half a region or more takes whole regions: the pool charges what the heap holds. */
    @Test
    void buffersAreChargedTheHeapTheyTake() {
        long mib = 1024 * 1024;
        PartBufferPool pool = new PartBufferPool(8, 8 * mib, 0, 0, mib);
        assertEquals(9 * mib, pool.footprint(8 * mib), "8 MiB and a header: nine regions");
        assertEquals(mib, pool.footprint(mib / 2 - 16), "half a region: humongous");
        assertEquals(100 * 1024 + 16, pool.footprint(100 * 1024), "a small array shares a region");
        assertEquals(8 * mib + 16, new PartBufferPool(8, 8 * mib, 0, 0, 0).footprint(8 * mib), "no regions");
    }

    @Test
    void refusesLeasesLargerThanABuffer() {
        PartBufferPool pool = new PartBufferPool(1, 100, 0);
        assertThrows(IllegalArgumentException.class, () -> pool.lease(101));
        assertThrows(IllegalArgumentException.class, () -> new PartBufferPool(1, 3L << 30, 0));
    }
}
