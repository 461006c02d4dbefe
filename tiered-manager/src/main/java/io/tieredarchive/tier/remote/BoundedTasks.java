package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.storage.StorageException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one blocking task per item on a few threads made for the call and gone after it: opening many partitions
 * at once (local recovery, reads of the store) without a thread per partition. A failure is the first one in the
 * items' order; the tasks not started yet are then not run.
 */
public final class BoundedTasks {

    /** One item's work. */
    @FunctionalInterface
    public interface Task<T, R> {
        R run(T item) throws SegmentException;
    }

    private BoundedTasks() {
    }

    /**
     * The result of {@code task} for each of {@code items}, in their order, run on at most {@code threads}
     * threads named {@code name} (on the caller's thread when there is one item or one thread).
     *
     * @throws SegmentException the first failure, in the items' order
     */
    public static <T, R> Map<T, R> run(Collection<T> items, int threads, String name, Task<T, R> task)
            throws SegmentException {
        Map<T, R> results = new LinkedHashMap<>();
        int count = Math.min(threads, items.size());
        if (count <= 1) {
            for (T item : items) {
                results.put(item, task.run(item));
            }
            return results;
        }
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(count, r -> {
            Thread t = new Thread(r, name + "-" + next.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Map.Entry<T, Future<R>>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(Map.entry(item, pool.submit(() -> task.run(item))));
            }
            for (Map.Entry<T, Future<R>> f : futures) {
                results.put(f.getKey(), get(f.getValue(), name));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <R> R get(Future<R> future, String name) throws SegmentException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("Interrupted while waiting for " + name, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SegmentException se) {
                throw se;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }
}
