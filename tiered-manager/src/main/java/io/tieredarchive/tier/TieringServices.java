package io.tieredarchive.tier;

import io.tieredarchive.tier.remote.RemoteSegmentStore;

import io.tieredarchive.config.S3Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One {@link TieringService} per {@code local.dir} in a worker, shared by the sink tasks that write there: the
 * first {@link #acquire} starts it, the last {@link #release} lets it go. A released service keeps running until
 * every sealed segment under its directory is tiered, so a segment committed locally still reaches the store
 * after its partition, or every task of the connector, moved to another worker.
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

    private TieringServices() {
    }

    /** The running service of {@code settings.localDir()}, started on the first call. Pair with {@link #release}. */
    public static synchronized TieringService acquire(TieringSettings settings, S3Connection connection) {
        Path key = settings.localDir().toAbsolutePath().normalize();
        Entry entry = SERVICES.get(key);
        if (entry == null) {
            TieringService service = new TieringService(settings, RemoteSegmentStore.create(connection),
                    System::currentTimeMillis);
            entry = new Entry(service, settings);
            SERVICES.put(key, entry);
            service.start();
        } else if (!entry.settings.equals(settings)) {
            log.warn("local.dir {} is already tiered with {}; ignoring the different settings {}. Give each "
                    + "connector its own local.dir.", key, entry.settings, settings);
        }
        entry.references++;
        return entry.service;
    }

    /** The services running in this worker, by {@code local.dir}: for the REST extension. */
    public static synchronized Map<Path, TieringService> running() {
        Map<Path, TieringService> running = new java.util.TreeMap<>();
        SERVICES.forEach((dir, entry) -> running.put(dir, entry.service));
        return running;
    }

    /** Gives back a service from {@link #acquire}; the last release stops it once nothing is left to upload. */
    public static synchronized void release(TieringService service) {
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
