package io.tieredarchive.source.copy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts the results of objects copied concurrently back into listing order, and so defines the resume point:
 * {@link #after()} is the last key of the contiguous run of finished objects from the start of the listing.
 * Every object up to and including it is finished; none after it is reported.
 *
 * <p>The task registers each object as the listing yields it ({@link #register}), in listing order; copies finish
 * in any order ({@link #complete}); {@link #drainReady} hands out the results of the finished run in listing order
 * and moves {@code after} to its last key. A result that finished ahead of an unfinished one waits, so that an event
 * is never written for an object above the resume point: after a restart from the resume point no event repeats.
 * Thread-safe.
 *
 * @param <T> the result of one object
 */
public final class ListingOrderTracker<T> {

    private final ArrayDeque<Entry<T>> pending = new ArrayDeque<>();
    private final Map<String, Entry<T>> byKey = new HashMap<>();
    private String after;
    private boolean wakeUp;

    /** @param after the resume point to start from: the last key known finished, or null for none */
    public ListingOrderTracker(String after) {
        this.after = after;
    }

    /** Adds the next key of the listing. Keys must come in listing order, each once. */
    public synchronized void register(String key) {
        if (byKey.containsKey(key)) {
            throw new IllegalStateException("Key registered twice: " + key);
        }
        Entry<T> entry = new Entry<>(key);
        pending.add(entry);
        byKey.put(key, entry);
    }

    /** Records the result of a registered key, in any order. */
    public synchronized void complete(String key, T result) {
        Entry<T> entry = byKey.get(key);
        if (entry == null || entry.result != null) {
            throw new IllegalStateException("Key not pending: " + key);
        }
        entry.result = result;
        if (entry == pending.peekFirst()) {
            notifyAll();
        }
    }

    /** The results of the finished run at the head of the listing, in listing order; advances {@link #after()}. */
    public synchronized List<T> drainReady() {
        List<T> ready = new ArrayList<>();
        while (!pending.isEmpty() && pending.peekFirst().result != null) {
            Entry<T> entry = pending.pollFirst();
            byKey.remove(entry.key);
            ready.add(entry.result);
            after = entry.key;
        }
        return ready;
    }

    /** Like {@link #drainReady()}, waiting up to {@code timeoutMs} for a result, or until {@link #wakeUp()}. */
    public synchronized List<T> awaitReady(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!wakeUp && (pending.isEmpty() || pending.peekFirst().result == null)) {
            long waitMs = (deadline - System.nanoTime()) / 1_000_000L;
            if (waitMs <= 0) {
                break;
            }
            wait(waitMs);
        }
        wakeUp = false;
        return drainReady();
    }

    /** Ends the current (or next) {@link #awaitReady} early: something else needs the caller's attention. */
    public synchronized void wakeUp() {
        wakeUp = true;
        notifyAll();
    }

    /** The last key of the finished run: every registered key up to it is finished. Null before any. */
    public synchronized String after() {
        return after;
    }

    /** Keys registered and not yet drained (in flight, or finished behind an unfinished one). */
    public synchronized int outstanding() {
        return pending.size();
    }

    private static final class Entry<T> {
        private final String key;
        private T result;

        private Entry(String key) {
            this.key = key;
        }
    }
}
