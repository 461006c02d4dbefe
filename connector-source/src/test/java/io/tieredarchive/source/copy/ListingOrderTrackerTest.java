package io.tieredarchive.source.copy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListingOrderTrackerTest {

    @Test
    void advancesOnlyOverTheContiguousFinishedRun() {
        ListingOrderTracker<String> tracker = new ListingOrderTracker<>(null);
        for (String key : List.of("a", "b", "c", "d")) {
            tracker.register(key);
        }
        tracker.complete("b", "B");
        tracker.complete("d", "D");
        assertEquals(List.of(), tracker.drainReady(), "b and d wait for a");
        assertNull(tracker.after());
        tracker.complete("a", "A");
        assertEquals(List.of("A", "B"), tracker.drainReady());
        assertEquals("b", tracker.after());
        assertEquals(2, tracker.outstanding());
        tracker.complete("c", "C");
        assertEquals(List.of("C", "D"), tracker.drainReady());
        assertEquals("d", tracker.after());
        assertEquals(0, tracker.outstanding());
    }

    @Test
    void startsFromTheResumePoint() {
        ListingOrderTracker<String> tracker = new ListingOrderTracker<>("k041");
        assertEquals("k041", tracker.after());
        tracker.register("k042");
        assertEquals("k041", tracker.after());
        tracker.complete("k042", "x");
        tracker.drainReady();
        assertEquals("k042", tracker.after());
    }

    @Test
    void refusesKeysTwiceAndUnknownCompletions() {
        ListingOrderTracker<String> tracker = new ListingOrderTracker<>(null);
        tracker.register("a");
        assertThrows(IllegalStateException.class, () -> tracker.register("a"));
        assertThrows(IllegalStateException.class, () -> tracker.complete("z", "Z"));
        tracker.complete("a", "A");
        assertThrows(IllegalStateException.class, () -> tracker.complete("a", "again"));
    }

    @Test
    void awaitReadyWaitsForTheHeadOrAWakeUp() throws Exception {
        ListingOrderTracker<String> tracker = new ListingOrderTracker<>(null);
        tracker.register("a");
        long start = System.nanoTime();
        assertEquals(List.of(), tracker.awaitReady(100));
        assertTrue(System.nanoTime() - start >= 90_000_000L, "waited the timeout");

        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.submit(() -> {
            Thread.sleep(50);
            tracker.complete("a", "A");
            return null;
        });
        assertEquals(List.of("A"), tracker.awaitReady(10_000));
        tracker.register("b");
        executor.submit(() -> {
            Thread.sleep(50);
            tracker.wakeUp();
            return null;
        });
        start = System.nanoTime();
        assertEquals(List.of(), tracker.awaitReady(10_000));
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "woken up early");
        executor.shutdownNow();
    }

    @Test
    void concurrentCompletionsComeOutInListingOrderOnce() throws Exception {
        ListingOrderTracker<Integer> tracker = new ListingOrderTracker<>(null);
        int n = 5000;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tracker.register(String.format("k%05d", i));
            order.add(i);
        }
        Collections.shuffle(order, new Random(1));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int i : order) {
            pool.execute(() -> tracker.complete(String.format("k%05d", i), i));
        }
        List<Integer> drained = new ArrayList<>();
        while (drained.size() < n) {
            drained.addAll(tracker.awaitReady(1000));
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        for (int i = 0; i < n; i++) {
            assertEquals(i, drained.get(i));
        }
        assertEquals(String.format("k%05d", n - 1), tracker.after());
    }
}
