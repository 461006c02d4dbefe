package io.tieredarchive.tier;

import io.tieredarchive.failure.Failures;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Ages sealed segments from {@code local.dir} to the store. Each pass (every {@code scanIntervalMs} on its own
 * thread, or at once when told a segment was sealed):
 * <ol>
 *   <li>scans every sealed segment under {@code local.dir}, of any partition, assigned here or not, retired
 *       folders included ({@link LocalTier});</li>
 *   <li>uploads those sealed at least {@code tier.upload.delay.ms} ago, per partition in offset order (up to
 *       {@code uploadThreads} partitions at once), to the destination their marker names
 *       ({@link TierDestinations}), has the store prove them and marks them tiered locally, then registers them in
 *       the manifest several at a time ({@link ManifestRegistrations}); a partition whose upload fails waits a
 *       doubling backoff and is retried, nothing else changes. A segment sealed for a destination this service
 *       has no store for is <em>stranded</em>: never uploaded, reported once at ERROR with what to do;</li>
 *   <li>deletes tiered local copies by age and size ({@link RetentionPolicy}), each only after checking again
 *       that all its objects are in the store.</li>
 * </ol>
 * For the sink: {@link #segmentSealed} when a segment is sealed, {@link #remoteDurableEnd} for
 * {@code commit.mode=remote}, {@link #archivedEnd} when a partition is opened. Partitions are
 * {@link ArchivePartition}s: two incarnations of a topic never share an end. One service per {@code local.dir} in
 * a worker: {@link TieringServices#acquire} shares it between the tasks of a connector.
 */
public final class TieringService implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(TieringService.class);

    private final TieringSettings settings;
    private final TierDestinations destinations = new TierDestinations();
    private final LongSupplier clock;
    private final LocalTier local;
    private final List<TieringListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService uploaders;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    /** Passes run on the service's own thread only once started; before, only {@link #runPass} runs one. */
    private volatile boolean started;
    private final Object passLock = new Object();
    private final TieringCounters counters = new TieringCounters();
    private final ManifestRegistrations registrations;

    private final TierState state;

    /** A service with no destination yet: {@link #attach} gives it one. */
    public TieringService(TieringSettings settings, LongSupplier clock) {
        this.settings = settings;
        this.clock = clock;
        this.local = new LocalTier(settings.localDir());
        this.state = new TierState(settings);
        this.registrations = new ManifestRegistrations(settings.manifestMaxDelayMs());
        this.uploaders = Executors.newFixedThreadPool(settings.uploadThreads(),
                daemon("tiered-archive-upload-" + settings.localDir().getFileName()));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                daemon("tiered-archive-tiering-" + settings.localDir().getFileName()));
    }

    /** A service uploading to {@code store} alone (the CLI, tests); closing the service closes the store. */
    public TieringService(TieringSettings settings, RemoteSegmentStore store, LongSupplier clock) {
        this(settings, clock);
        attach("tiered-archive", store, false);
    }

    /**
     * Adds a user of {@code store}'s destination (the service then closes the store); a store of a destination
     * already here replaces that destination's store (new credentials).
     *
     * @param refuseOthers refuse when another owner archives this {@code local.dir} to another destination
     * @throws IllegalStateException when refused, saying why
     */
    public void attach(String owner, RemoteSegmentStore store, boolean refuseOthers) {
        destinations.attach(owner, store, settings.localDir().toString(), refuseOthers);
        wakeUp();
    }

    /** Gives back a use from {@link #attach}: the destination drains what is pending for it, then goes. */
    public void detach(String owner, String destination) {
        destinations.detach(owner, destination, settings.localDir(), clock.getAsLong());
    }

    /** True when nobody uses any destination of this service. */
    boolean unused() {
        return destinations.unused();
    }

    /** Starts the periodic passes. */
    public void start() {
        log.info("Tiering {} to {} every {} ms (upload delay {} ms, local retention {} ms / {} bytes)",
                settings.localDir(), destinations.stores().stream().map(RemoteSegmentStore::destination).toList(),
                settings.scanIntervalMs(), settings.uploadDelayMs(), settings.localRetentionMs(),
                settings.localRetentionBytes());
        started = true;
        scheduler.scheduleWithFixedDelay(this::passQuietly, 0, settings.scanIntervalMs(), TimeUnit.MILLISECONDS);
    }

    public void addListener(TieringListener listener) {
        listeners.add(listener);
    }

    public void removeListener(TieringListener listener) {
        listeners.remove(listener);
    }

    /** The store of the first destination (the only one, unless a config change is draining). */
    public RemoteSegmentStore store() {
        return destinations.first().orElseThrow(() -> new IllegalStateException("No destination for "
                + settings.localDir()));
    }

    /** The store of {@code destination}, if this service uploads there. */
    public Optional<RemoteSegmentStore> store(String destination) {
        return destinations.storeFor(destination);
    }

    /** True when a segment sealed for {@code destination} can be uploaded by this service. */
    public boolean canUpload(String destination) {
        return destinations.storeFor(destination).isPresent();
    }

    public LocalTier localTier() {
        return local;
    }

    /** The sink sealed a segment: it counts as pending at once, and a pass is started soon. */
    public void segmentSealed(SegmentFiles files, SegmentMetadata meta) {
        state.sealed(files, meta);
        wakeUp();
    }

    /** Asks for a pass as soon as the tiering thread is free (once the service is started). */
    public void wakeUp() {
        if (started && wakeQueued.compareAndSet(false, true) && !scheduler.isShutdown()) {
            scheduler.execute(() -> {
                wakeQueued.set(false);
                passQuietly();
            });
        }
    }

    /**
     * The offset below which every record of {@code p} sealed under this {@code local.dir} is verified in the
     * store: the base of the oldest segment not yet tiered (that can be uploaded), else the end of the tiered ones
     * (or the archive's end found by {@link #archivedEnd}); -1 when nothing is known. Answers from memory.
     */
    public long remoteDurableEnd(ArchivePartition p) {
        return state.remoteDurableEnd(p, this::uploadable);
    }

    /**
     * Where the archive of {@code p} ends in {@code destination}'s store, for the sink opening a partition: the
     * end of its segments there, or -1; {@link #archivedEnds} for one partition.
     */
    public long archivedEnd(String destination, ArchivePartition p) throws SegmentException {
        return archivedEnds(destination, Map.of(p, List.of())).get(p);
    }

    /**
     * Where the archives of the partitions in {@code local} end in {@code destination}'s store, for a sink task
     * opening them: a few listings per incarnation answer them all ({@link OpeningEnds}), the markers of the local
     * sealed segments in {@code local} are not read again. What the store holds now counts, not what local files
     * remember: a local segment of such a partition marked tiered for that destination whose marker the store no
     * longer lists (an emptied or replaced bucket) is marked pending again, and is uploaded again.
     */
    public Map<ArchivePartition, Long> archivedEnds(String destination,
            Map<ArchivePartition, ? extends Collection<SegmentMetadata>> local) throws SegmentException {
        RemoteSegmentStore store = destinations.storeFor(destination).orElseThrow(() ->
                new IllegalStateException("No store for " + destination + " in the tiering of " + settings.localDir()));
        return new OpeningEnds(store, destination, state, this::destinationOf).ends(local);
    }

    public TieringStats stats() {
        return counters.snapshot(state.all(), this::uploadable);
    }

    /** One pass: scan, upload what is due, apply retention. Runs on the caller's thread; passes never overlap. */
    public void runPass() {
        runPass(false);
    }

    /**
     * A pass that uploads every sealed segment now, whatever {@code tier.upload.delay.ms} and backoff say
     * ({@code tiered-archive archive}).
     */
    public void archiveNow() {
        runPass(true);
    }

    private void runPass(boolean now) {
        synchronized (passLock) {
            destinations.closeReplaced();
            try {
                refresh();
            } catch (IOException e) {
                counters.failed("Cannot scan " + settings.localDir() + ": " + e);
                log.warn("Cannot scan {}: {}", settings.localDir(), e.toString());
                return;
            }
            uploadDue(now);
            registrations.registerDue(destinations::storeFor, clock.getAsLong(), now).forEach(counters::failed);
            applyRetention();
            destinations.closeIdle(this::pendingFor);
            destinations.recordOwner(settings.localDir(), clock.getAsLong());
            counters.passEnded(clock.getAsLong());
        }
    }

    private void passQuietly() {
        try {
            runPass();
        } catch (RuntimeException e) {
            counters.failed(e.toString());
            log.error("Tiering pass over {} failed; the next pass retries", settings.localDir(), e);
        }
    }

    private void refresh() throws IOException {
        state.scanned(local.scan()); // disk I/O outside the state's lock: remoteDurableEnd stays quick
    }

    /** The destination a segment goes to: its marker's, or the first destination's for a legacy marker. */
    private String destinationOf(LocalSegment s) {
        String named = s.meta().destination();
        return named != null ? named : destinations.first().map(RemoteSegmentStore::destination).orElse(null);
    }

    private boolean uploadable(LocalSegment s) {
        return destinations.storeFor(s.meta().destination()).isPresent();
    }

    private boolean pendingFor(String destination) {
        return state.pendingFor(destination, this::destinationOf) || registrations.waitingFor(destination);
    }

    private void uploadDue(boolean ignoreDelay) {
        long now = clock.getAsLong();
        Map<PartitionUpload, List<LocalSegment>> due = new HashMap<>();
        for (LocalSegment s : state.all()) {
            Optional<RemoteSegmentStore> store = s.tiered() ? Optional.empty()
                    : destinations.storeFor(s.meta().destination());
            if (!s.tiered() && store.isEmpty()) {
                reportStranded(s);
            } else if (!s.tiered() && (ignoreDelay || (s.meta().sealedAtMs() + settings.uploadDelayMs() <= now
                    && state.ready(s.archivePartition(), now)))) {
                due.computeIfAbsent(new PartitionUpload(s.archivePartition(), store.get()),
                        k -> new ArrayList<>()).add(s);
            }
        }
        List<Future<?>> running = new ArrayList<>();
        due.forEach((target, list) -> {
            list.sort(Comparator.comparingLong(s -> s.meta().baseOffset()));
            running.add(uploaders.submit(() -> uploadPartition(target, list, ignoreDelay)));
        });
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException ee) {
                log.error("Upload task failed unexpectedly", ee.getCause());
            }
        }
    }

    /** The segments of one partition bound for one store. */
    private record PartitionUpload(ArchivePartition partition, RemoteSegmentStore store) {
    }

    private void reportStranded(LocalSegment s) {
        if (state.firstStranded(s)) {
            log.error("Segment {} of {} was sealed for {}, which no connector on this worker archives to any more; "
                    + "it is not uploaded. Its records were archived again under the current config if Kafka still "
                    + "had them. To upload it, run 'tiered-archive archive --local-dir {}' with the s3.* settings of "
                    + "that destination; once it is uploaded, or if you do not need it, delete its files",
                    s.files(), s.archivePartition(), s.meta().destination(), settings.localDir());
        }
    }

    /** Uploads one partition's pending segments to its store and records the outcome. */
    private void uploadPartition(PartitionUpload target, List<LocalSegment> pending, boolean registerAll) {
        ArchivePartition p = target.partition();
        SegmentUploads.Result result = SegmentUploads.upload(p, target.store(), pending, registrations,
                clock.getAsLong(), registerAll);
        for (LocalSegment s : result.tiered()) {
            markTieredInMemory(p, s);
        }
        if (!result.tiered().isEmpty()) {
            counters.uploaded(result.tiered().size(), result.bytes());
            log.info("Tiered {} segment(s) of {} up to offset {} to {} ({} bytes sent)", result.tiered().size(), p,
                    result.tiered().get(result.tiered().size() - 1).meta().lastOffset(), target.store().destination(),
                    result.bytes());
        }
        recordOutcome(p, result.failure());
    }

    private void markTieredInMemory(ArchivePartition p, LocalSegment s) {
        state.tiered(s);
        for (TieringListener listener : listeners) {
            try {
                listener.segmentTiered(s.topicPartition(), s.meta());
            } catch (RuntimeException e) {
                log.warn("Tiering listener failed for {} segment {}", p, s.meta().baseOffset(), e);
            }
        }
    }

    private void recordOutcome(ArchivePartition p, Exception failure) {
        if (failure == null) {
            state.uploadSucceeded(p);
            return;
        }
        long[] attemptAndWait = state.uploadFailed(p, clock.getAsLong());
        Failures.logRetried(log, failure, "s3.", "Upload of {} failed (attempt {}), retrying in {} ms; local copies "
                + "are kept: {}{}", p, attemptAndWait[0], attemptAndWait[1], failure.getMessage());
        counters.failed(failure.getMessage());
    }

    private void applyRetention() {
        LocalRetention.apply(state.all(), settings, clock.getAsLong(), new LocalRetention.Tier() {
            @Override
            public Optional<RemoteSegmentStore> storeOf(LocalSegment s) {
                return destinations.storeFor(destinationOf(s));
            }

            @Override
            public void untiered(LocalSegment s) {
                state.untiered(s);
            }

            @Override
            public void deleted(LocalSegment s) {
                state.deleted(s);
                counters.deleted(s.bytes());
            }

            @Override
            public void failed(String message) {
                counters.failed(message);
            }
        });
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        uploaders.shutdownNow();
        try {
            scheduler.awaitTermination(30, TimeUnit.SECONDS);
            uploaders.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (passLock) {
            registrations.registerDue(destinations::storeFor, clock.getAsLong(), true);
        }
        destinations.closeAll();
        log.info("Tiering of {} stopped", settings.localDir());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
