package io.tieredarchive.tier;


import io.tieredarchive.config.S3Connection;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One {@link TieringService} per {@code local.dir} in a worker, shared by the sink tasks that write there: the
 * first {@link #acquire} starts it, the last {@link Handle#close} lets it go. A released service keeps running
 * until every sealed segment under its directory is tiered, so a segment committed locally still reaches the store
 * after its partition, or every task of the connector, moved to another worker.
 *
 * <p>Each acquisition brings the task's own S3 connection: a task never uploads through a connection other than
 * its config's. A connection to the destination the service already uploads to replaces that destination's client
 * (rotated keys take effect at once); a connection to another destination (a changed bucket or prefix) is added,
 * and the old destination drains what was sealed for it. A second connector archiving the same {@code local.dir}
 * to another destination is refused.
 */
public final class TieringServices {

    private static final Logger log = LoggerFactory.getLogger(TieringServices.class);
    private static final Map<Path, Entry> SERVICES = new HashMap<>();
    private static final ScheduledExecutorService DRAINER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tiered-archive-drain");
        t.setDaemon(true);
        return t;
    });

    private static final class Entry {
        final TieringService service;
        final TieringSettings settings;
        int references;

        Entry(TieringService service, TieringSettings settings) {
            this.service = service;
            this.settings = settings;
        }
    }

    /** One task's use of the service of its {@code local.dir}, for its own connection's destination. */
    public static final class Handle implements AutoCloseable {
        private final TieringService service;
        private final String owner;
        private final String destination;
        private boolean closed;

        private Handle(TieringService service, String owner, String destination) {
            this.service = service;
            this.owner = owner;
            this.destination = destination;
        }

        public TieringService service() {
            return service;
        }

        /** Where this task's segments go ({@link RemoteSegmentStore#destination()}). */
        public String destination() {
            return destination;
        }

        /** The store of this task's connection. */
        public RemoteSegmentStore store() {
            return service.store(destination).orElseThrow();
        }

        /** Gives the service back: the last release stops it once nothing is left to upload. */
        @Override
        public void close() {
            synchronized (TieringServices.class) {
                if (!closed) {
                    closed = true;
                    service.detach(owner, destination);
                    release(service);
                }
            }
        }
    }

    private TieringServices() {
    }

    /**
     * The running service of {@code settings.localDir()}, started on the first call, uploading this task's segments
     * through {@code connection}. Close the handle when the task stops.
     *
     * @param owner the connector's name: a second connector with another destination on the same {@code local.dir}
     *              is refused
     * @throws IllegalStateException when another connector archives {@code local.dir} to another destination
     */
    public static Handle acquire(TieringSettings settings, S3Connection connection, String owner) {
        return acquire(settings, owner, () -> RemoteSegmentStore.create(connection));
    }

    /** As {@link #acquire(TieringSettings, S3Connection, String)}, with a store of the caller's making. */
    public static synchronized Handle acquire(TieringSettings settings, String owner,
                                              Supplier<RemoteSegmentStore> stores) {
        Path key = settings.localDir().toAbsolutePath().normalize();
        Entry entry = SERVICES.get(key);
        boolean created = entry == null;
        if (created) {
            entry = new Entry(new TieringService(settings, System::currentTimeMillis), settings);
        } else if (!entry.settings.equals(settings)) {
            log.warn("local.dir {} is already tiered with {}; ignoring the different settings {}. Give each "
                    + "connector its own local.dir.", key, entry.settings, settings);
        }
        RemoteSegmentStore store = stores.get();
        try {
            entry.service.attach(owner, store, true);
        } catch (IllegalStateException refused) {
            store.close();
            if (created) {
                entry.service.close();
            }
            throw refused;
        }
        if (created) {
            SERVICES.put(key, entry);
            entry.service.start();
        }
        entry.references++;
        return new Handle(entry.service, owner, store.destination());
    }

    /**
     * A use of a service that is not shared through this registry (a tool's, a test's): {@code store} is attached
     * to it for {@code owner}; closing the handle detaches it, and does not stop the service.
     */
    public static Handle attach(TieringService service, String owner, RemoteSegmentStore store) {
        service.attach(owner, store, true);
        return new Handle(service, owner, store.destination());
    }

    /** The services running in this worker, by {@code local.dir}: for the REST extension. */
    public static synchronized Map<Path, TieringService> running() {
        Map<Path, TieringService> running = new java.util.TreeMap<>();
        SERVICES.forEach((dir, entry) -> running.put(dir, entry.service));
        return running;
    }

    private static synchronized void release(TieringService service) {
        for (Map.Entry<Path, Entry> e : SERVICES.entrySet()) {
            if (e.getValue().service == service) {
                if (--e.getValue().references == 0) {
                    log.info("Last task released the tiering of {}; it stops once every sealed segment is tiered",
                            e.getKey());
                    scheduleDrainCheck(e.getKey(), e.getValue());
                }
                return;
            }
        }
    }

    private static void scheduleDrainCheck(Path key, Entry entry) {
        DRAINER.schedule(() -> closeIfDrained(key, entry), entry.settings.scanIntervalMs(), TimeUnit.MILLISECONDS);
    }

    private static void closeIfDrained(Path key, Entry entry) {
        synchronized (TieringServices.class) {
            if (entry.references > 0 || SERVICES.get(key) != entry) {
                return;
            }
            int pending = entry.service.stats().pendingSegments();
            if (pending > 0) {
                log.debug("No task uses {} any more, but {} segment(s) are still to upload; tiering goes on", key,
                        pending);
                scheduleDrainCheck(key, entry);
                return;
            }
            SERVICES.remove(key);
        }
        entry.service.close();
    }
}
