package io.tieredarchive.rest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The stores (each an S3 client) that requests naming a connector read through, one per distinct
 * {@link S3Connection}: a Caffeine cache bounded in size and expiring after {@code idle} without a request, so a
 * connection no longer used (a rotated credential, a deleted connector) does not keep its client until the worker
 * stops. A removed store is closed after {@code grace}, time for a request that took it just before to finish;
 * {@link #close} closes every store at once.
 */
final class RequestStores implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RequestStores.class);

    private final Cache<S3Connection, RemoteSegmentStore> cache;
    private final Set<RemoteSegmentStore> closing = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tiered-archive-rest-store-closer");
        t.setDaemon(true);
        return t;
    });
    private final Duration grace;
    private final Function<S3Connection, RemoteSegmentStore> factory;

    RequestStores(int maxStores, Duration idle, Duration grace, Ticker ticker,
                  Function<S3Connection, RemoteSegmentStore> factory) {
        this.grace = grace;
        this.factory = factory;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxStores)
                .expireAfterAccess(idle)
                .ticker(ticker)
                .executor(Runnable::run) // removal only hands the store to the closer: quick
                .removalListener(this::removed)
                .build();
    }

    /** The store of {@code connection}, created on first use. */
    RemoteSegmentStore get(S3Connection connection) {
        return cache.get(connection, factory);
    }

    /** Stores open now: those cached and those removed but not closed yet. */
    int openStores() {
        cache.cleanUp();
        return (int) cache.estimatedSize() + closing.size();
    }

    /** Runs pending expiries (Caffeine does so on access too). */
    void cleanUp() {
        cache.cleanUp();
    }

    /** Closes {@code store}, one that is not cached (a restore job's own), on the closer's thread. */
    void closeSoon(RemoteSegmentStore store) {
        closeAfter(store, 0);
    }

    private void removed(S3Connection connection, RemoteSegmentStore store, RemovalCause cause) {
        if (store != null) {
            log.debug("Closing the S3 client of {}/{} ({})", connection.bucket(), connection.prefix(), cause);
            closeAfter(store, grace.toMillis());
        }
    }

    private void closeAfter(RemoteSegmentStore store, long delayMs) {
        closing.add(store);
        try {
            closer.schedule(() -> closeNow(store), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            closeNow(store); // the extension is closing
        }
    }

    private void closeNow(RemoteSegmentStore store) {
        if (closing.remove(store)) {
            try {
                store.close();
            } catch (RuntimeException e) {
                log.warn("Closing an S3 client of the REST extension failed: {}", e.toString());
            }
        }
    }

    /** Closes every store, cached or waiting for its grace period. */
    @Override
    public void close() {
        cache.invalidateAll();
        cache.cleanUp();
        closer.shutdownNow();
        for (RemoteSegmentStore store : List.copyOf(closing)) {
            closeNow(store);
        }
    }
}
