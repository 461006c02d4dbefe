package io.tieredarchive.tier;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Manifest registrations of uploaded segments, several segments of a partition in one update. A segment is durable
 * and visible once its marker is proven in the store (readers list the markers after the manifest's
 * {@code listedThrough}); the manifest is an accelerator, so its update (a GET, a LIST, a conditional PUT and, on a
 * store without atomic conditional writes, a GET to read it back) need not follow every upload. The segments of a
 * partition wait here until {@value #BATCH} of them wait, or the oldest has waited {@code tier.manifest.max.delay.ms}
 * (an hour by default: long enough that a quiet partition, sealing one segment per {@code segment.ms}, shares its
 * updates too), or the service asks for all (a CLI pass, closing); the first registration of a partition in a
 * service's life is immediate (it also registers what an earlier run left). A longer wait costs readers nothing:
 * their view lists the partition's markers after the manifest's {@code listedThrough} whatever the manifest holds,
 * and a few more keys fit the same LIST page. A crash loses only the waiting list: the next
 * registration of the partition, by any writer, lists those markers and merges them. Thread-safe; one registration
 * of a partition and destination at a time (the tiering passes never overlap).
 */
final class ManifestRegistrations {

    private static final Logger log = LoggerFactory.getLogger(ManifestRegistrations.class);
    /** Segments of a partition registered in one manifest update, at most the wait below apart. */
    static final int BATCH = 4;
    /** How long an uploaded segment waits at most for others before it is registered alone. */
    private final long maxWaitMs;

    private record Key(ArchivePartition partition, String destination) {
    }

    private static final class Waiting {
        final List<SegmentMetadata> segments = new ArrayList<>();
        long sinceMs;
    }

    private final Map<Key, Waiting> waiting = new HashMap<>();
    private final Set<Key> registeredOnce = new HashSet<>();

    ManifestRegistrations(long maxWaitMs) {
        this.maxWaitMs = maxWaitMs;
    }

    /** {@code uploaded} segments of {@code p} are proven in {@code destination}'s store: they wait to be registered. */
    synchronized void uploaded(ArchivePartition p, String destination, List<SegmentMetadata> uploaded, long nowMs) {
        if (uploaded.isEmpty()) {
            return;
        }
        Waiting w = waiting.computeIfAbsent(new Key(p, destination), k -> new Waiting());
        if (w.segments.isEmpty()) {
            w.sinceMs = nowMs;
        }
        w.segments.addAll(uploaded);
    }

    /** True while segments bound for {@code destination} wait to be registered (its store must stay open). */
    synchronized boolean waitingFor(String destination) {
        return waiting.keySet().stream().anyMatch(k -> k.destination().equals(destination));
    }

    /**
     * Registers the waiting segments of {@code p} in {@code store} if they are due ({@code all}: whatever waits).
     *
     * @throws SegmentException when the update fails; the segments wait on for the next attempt
     */
    void registerIfDue(ArchivePartition p, RemoteSegmentStore store, long nowMs, boolean all)
            throws SegmentException {
        Key key = new Key(p, store.destination());
        List<SegmentMetadata> due = takeIfDue(key, nowMs, all);
        if (!due.isEmpty()) {
            register(key, store, due);
        }
    }

    /**
     * Registers every partition's due segments ({@code all}: whatever waits) in the store {@code storeOf} gives for
     * its destination (none there: they wait on). Failures are logged and returned; those segments wait on.
     */
    List<String> registerDue(Function<String, Optional<RemoteSegmentStore>> storeOf, long nowMs, boolean all) {
        List<Key> keys;
        synchronized (this) {
            keys = new ArrayList<>(waiting.keySet());
        }
        List<String> failures = new ArrayList<>();
        for (Key key : keys) {
            Optional<RemoteSegmentStore> store = storeOf.apply(key.destination());
            if (store.isEmpty()) {
                continue;
            }
            List<SegmentMetadata> due = takeIfDue(key, nowMs, all);
            if (due.isEmpty()) {
                continue;
            }
            try {
                register(key, store.get(), due);
            } catch (SegmentException | RuntimeException e) {
                log.warn("Cannot register {} segment(s) of {} in its manifest in {} now (their markers are in the "
                        + "store, readers find them by listing); retrying: {}", due.size(), key.partition(),
                        key.destination(), e.toString());
                failures.add(e.getMessage());
            }
        }
        return failures;
    }

    private synchronized List<SegmentMetadata> takeIfDue(Key key, long nowMs, boolean all) {
        Waiting w = waiting.get(key);
        if (w == null || !(all || w.segments.size() >= BATCH || nowMs - w.sinceMs >= maxWaitMs
                || !registeredOnce.contains(key))) {
            return List.of();
        }
        waiting.remove(key);
        return w.segments;
    }

    private void register(Key key, RemoteSegmentStore store, List<SegmentMetadata> due) throws SegmentException {
        try {
            store.register(key.partition(), due);
        } catch (SegmentException | RuntimeException e) {
            synchronized (this) {
                Waiting w = waiting.computeIfAbsent(key, k -> new Waiting());
                w.segments.addAll(0, due);
                w.sinceMs = Long.MIN_VALUE / 2; // overdue: retried on the next pass
            }
            throw e;
        }
        synchronized (this) {
            registeredOnce.add(key);
        }
        log.debug("Registered {} segment(s) of {} in its manifest", due.size(), key.partition());
    }
}
