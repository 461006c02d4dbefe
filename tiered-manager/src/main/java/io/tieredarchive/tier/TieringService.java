package io.tieredarchive.tier;

import io.tieredarchive.tier.remote.RemoteSegmentStore;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.PartitionView;
import io.tieredarchive.tier.remote.RemoteLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 *       ({@link TierDestinations}), verifies them and registers them in the manifest, then marks them tiered
 *       locally; a partition whose upload fails waits a doubling backoff and is retried, nothing else changes. A
 *       segment sealed for a destination this service has no store for is <em>stranded</em>: never uploaded,
 *       reported once at ERROR with what to do;</li>
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

    /** Sealed local segments by marker path; guarded by {@code this}. */
    private final Map<SegmentFiles, LocalSegment> segments = new HashMap<>();
    /** Per partition: tiered end and backoff; guarded by {@code this}. */
    private final Map<ArchivePartition, PartitionState> partitions = new HashMap<>();
    /** When the owner of local.dir was last recorded ({@link LocalDirOwner}); tiering thread only. */
    private long ownerRecordedAtMs;
    /** Stranded segments already reported, so each is reported once; guarded by {@code this}. */
    private final Set<SegmentFiles> reportedStranded = new HashSet<>();

    private static final class PartitionState {
        long tieredEnd = -1;
        int failures;
        long nextAttemptAtMs;
    }

    /** A service with no destination yet: {@link #attach} gives it one. */
    public TieringService(TieringSettings settings, LongSupplier clock) {
        this.settings = settings;
        this.clock = clock;
        this.local = new LocalTier(settings.localDir());
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
        destinations.detach(owner, destination);
        if (destinations.runningConnector().isEmpty()) {
            try {
                LocalDirOwner.release(settings.localDir(), clock.getAsLong());
            } catch (IOException e) {
                log.warn("Cannot record that {} has no running owner: {}", settings.localDir(), e.toString());
            }
        }
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
        synchronized (this) {
            segments.putIfAbsent(files, new LocalSegment(files, meta, false));
        }
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
    public synchronized long remoteDurableEnd(ArchivePartition p) {
        long pending = segments.values().stream()
                .filter(s -> !s.tiered() && p.holds(s.meta()) && uploadable(s))
                .mapToLong(s -> s.meta().baseOffset()).min().orElse(-1);
        if (pending >= 0) {
            return pending;
        }
        PartitionState state = partitions.get(p);
        return state == null ? -1 : state.tieredEnd;
    }

    /**
     * Where the archive of {@code p} ends in {@code destination}'s store, for the sink opening a partition: the
     * end of its segments there (one manifest GET and one LIST), or -1. What the store holds now counts, not what
     * local files remember: a local segment of {@code p} marked tiered for that destination whose marker the store
     * no longer lists (an emptied or replaced bucket) is marked pending again, and is uploaded again.
     */
    public long archivedEnd(String destination, ArchivePartition p) throws SegmentException {
        RemoteSegmentStore store = destinations.storeFor(destination).orElseThrow(() ->
                new IllegalStateException("No store for " + destination + " in the tiering of " + settings.localDir()));
        PartitionView view = store.view(p);
        Set<String> inStore = new HashSet<>();
        view.segments().forEach(m -> inStore.add(RemoteLayout.markerName(m)));
        List<LocalSegment> stale = new ArrayList<>();
        synchronized (this) {
            for (LocalSegment s : segments.values()) {
                if (s.tiered() && p.holds(s.meta()) && destination.equals(destinationOf(s))
                        && !inStore.contains(RemoteLayout.markerName(s.meta()))) {
                    stale.add(s);
                }
            }
        }
        for (LocalSegment s : stale) {
            log.warn("{}: segment {} is marked tiered locally, but {} does not hold it (was the bucket emptied or "
                    + "replaced?); uploading it again", p, s.files(), store.location());
            try {
                LocalTier.unmarkTiered(s.files());
            } catch (IOException e) {
                throw new SegmentException("Cannot mark " + s.files() + " pending again: " + e, e);
            }
        }
        long remoteEnd = view.endOffset();
        synchronized (this) {
            stale.forEach(s -> segments.computeIfPresent(s.files(), (f, old) -> old.withTiered(false)));
            PartitionState state = partitions.computeIfAbsent(p, k -> new PartitionState());
            state.tieredEnd = Math.max(remoteEnd, segments.values().stream()
                    .filter(s -> s.tiered() && p.holds(s.meta()))
                    .mapToLong(s -> s.meta().nextOffset()).max().orElse(-1));
        }
        return remoteEnd;
    }

    public TieringStats stats() {
        List<LocalSegment> now;
        synchronized (this) {
            now = new ArrayList<>(segments.values());
        }
        return counters.snapshot(now, this::uploadable);
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
            applyRetention();
            destinations.closeIdle(this::pendingFor);
            recordOwner();
            counters.passEnded(clock.getAsLong());
        }
    }

    /** Every {@link LocalDirOwner#HEARTBEAT_MS}: records that a connector of this local.dir still runs. */
    private void recordOwner() {
        long now = clock.getAsLong();
        if (now - ownerRecordedAtMs < LocalDirOwner.HEARTBEAT_MS) {
            return;
        }
        destinations.runningConnector().ifPresent(owner -> {
            try {
                LocalDirOwner.claim(settings.localDir(), owner.getKey(), owner.getValue(), now);
                ownerRecordedAtMs = now;
            } catch (IOException e) {
                log.warn("Cannot record the owner of {}: {}", settings.localDir(), e.toString());
            }
        });
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
        List<LocalSegment> scanned = local.scan(); // disk I/O outside the lock: remoteDurableEnd stays quick
        Map<SegmentFiles, LocalSegment> fresh = new HashMap<>();
        for (LocalSegment s : scanned) {
            fresh.put(s.files(), s);
        }
        synchronized (this) {
            for (LocalSegment s : scanned) {
                if (s.tiered()) {
                    tiered(s.archivePartition(), s.meta());
                }
            }
            // A segment the sink reported while the scan ran is kept if its files are still there.
            segments.values().removeIf(s -> !fresh.containsKey(s.files())
                    && !(Files.exists(s.files().marker()) && Files.exists(s.files().log())));
            segments.putAll(fresh);
            reportedStranded.retainAll(segments.keySet());
        }
    }

    private void tiered(ArchivePartition p, SegmentMetadata meta) {
        PartitionState state = partitions.computeIfAbsent(p, k -> new PartitionState());
        state.tieredEnd = Math.max(state.tieredEnd, meta.nextOffset());
    }

    /** The destination a segment goes to: its marker's, or the first destination's for a legacy marker. */
    private String destinationOf(LocalSegment s) {
        String named = s.meta().destination();
        return named != null ? named : destinations.first().map(RemoteSegmentStore::destination).orElse(null);
    }

    private boolean uploadable(LocalSegment s) {
        return destinations.storeFor(s.meta().destination()).isPresent();
    }

    private synchronized boolean pendingFor(String destination) {
        return segments.values().stream().anyMatch(s -> !s.tiered() && destination.equals(destinationOf(s)));
    }

    private void uploadDue(boolean ignoreDelay) {
        long now = clock.getAsLong();
        Map<PartitionUpload, List<LocalSegment>> due = new HashMap<>();
        synchronized (this) {
            for (LocalSegment s : segments.values()) {
                if (s.tiered()) {
                    continue;
                }
                Optional<RemoteSegmentStore> store = destinations.storeFor(s.meta().destination());
                if (store.isEmpty()) {
                    reportStranded(s);
                    continue;
                }
                PartitionState state = partitions.get(s.archivePartition());
                boolean ready = s.meta().sealedAtMs() + settings.uploadDelayMs() <= now
                        && (state == null || state.nextAttemptAtMs <= now);
                if (ready || ignoreDelay) {
                    due.computeIfAbsent(new PartitionUpload(s.archivePartition(), store.get()),
                            k -> new ArrayList<>()).add(s);
                }
            }
        }
        List<Future<?>> running = new ArrayList<>();
        for (Map.Entry<PartitionUpload, List<LocalSegment>> e : due.entrySet()) {
            e.getValue().sort(Comparator.comparingLong(s -> s.meta().baseOffset()));
            running.add(uploaders.submit(() -> uploadPartition(e.getKey(), e.getValue())));
        }
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
        if (reportedStranded.add(s.files())) {
            log.error("Segment {} of {} was sealed for {}, which no connector on this worker archives to any more; "
                    + "it is not uploaded. Its records were archived again under the current config if Kafka still "
                    + "had them. To upload it, run 'tiered-archive archive --local-dir {}' with the s3.* settings of "
                    + "that destination; once it is uploaded, or if you do not need it, delete its files",
                    s.files(), s.archivePartition(), s.meta().destination(), settings.localDir());
        }
    }

    /** Uploads {@code pending} in offset order, stopping at the first failure; registers what went up. */
    private void uploadPartition(PartitionUpload target, List<LocalSegment> pending) {
        ArchivePartition p = target.partition();
        RemoteSegmentStore store = target.store();
        List<LocalSegment> uploaded = new ArrayList<>();
        long bytes = 0;
        Exception failure = null;
        try {
            if (!p.incarnation().isLegacy()) {
                store.describeIncarnation(p.topic(), p.incarnation());
            }
            for (LocalSegment s : pending) {
                bytes += store.upload(s.files(), s.meta());
                uploaded.add(s);
            }
        } catch (SegmentException | RuntimeException e) {
            failure = e;
        }
        try {
            if (!uploaded.isEmpty()) {
                store.register(p, uploaded.stream().map(LocalSegment::meta).toList());
                for (LocalSegment s : uploaded) {
                    LocalTier.markTiered(s.files(), store.layout().keys(s.meta()).marker());
                    markTieredInMemory(p, s);
                }
                counters.uploaded(uploaded.size(), bytes);
                log.info("Tiered {} segment(s) of {} up to offset {} to {} ({} bytes sent)", uploaded.size(), p,
                        uploaded.get(uploaded.size() - 1).meta().lastOffset(), store.destination(), bytes);
            }
        } catch (SegmentException | IOException | RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        recordOutcome(p, failure);
    }

    private void markTieredInMemory(ArchivePartition p, LocalSegment s) {
        synchronized (this) {
            segments.put(s.files(), s.withTiered(true));
            tiered(p, s.meta());
        }
        for (TieringListener listener : listeners) {
            try {
                listener.segmentTiered(s.topicPartition(), s.meta());
            } catch (RuntimeException e) {
                log.warn("Tiering listener failed for {} segment {}", p, s.meta().baseOffset(), e);
            }
        }
    }

    private void recordOutcome(ArchivePartition p, Exception failure) {
        synchronized (this) {
            PartitionState state = partitions.computeIfAbsent(p, k -> new PartitionState());
            if (failure == null) {
                state.failures = 0;
                state.nextAttemptAtMs = 0;
                return;
            }
            state.failures++;
            long wait = settings.backoffMs(state.failures);
            state.nextAttemptAtMs = clock.getAsLong() + wait;
            log.warn("Upload of {} failed (attempt {}), retrying in {} ms; local copies are kept: {}", p,
                    state.failures, wait, failure.getMessage());
        }
        counters.failed(failure.getMessage());
    }

    private void applyRetention() {
        List<LocalSegment> all;
        synchronized (this) {
            all = new ArrayList<>(segments.values());
        }
        for (LocalSegment s : RetentionPolicy.select(all, clock.getAsLong(), settings.localRetentionMs(),
                settings.localRetentionBytes())) {
            Optional<RemoteSegmentStore> store = destinations.storeFor(destinationOf(s));
            if (store.isEmpty()) {
                continue; // cannot check it in its store now: keep it
            }
            try {
                if (!store.get().isVerified(s.files(), s.meta())) {
                    log.warn("Segment {} of {} is no longer complete in {}; keeping the local copy and uploading "
                            + "it again", s.meta().baseOffset(), s.archivePartition(), store.get().location());
                    LocalTier.unmarkTiered(s.files());
                    synchronized (this) {
                        segments.put(s.files(), s.withTiered(false));
                    }
                    continue;
                }
                LocalTier.deleteFiles(s.files());
                synchronized (this) {
                    segments.remove(s.files());
                }
                counters.deleted(s.bytes());
                log.debug("Deleted the local copy of {} (tiered, sealed at {})", s.files(), s.meta().sealedAtMs());
            } catch (SegmentException | IOException e) {
                log.warn("Cannot apply local retention to {} now: {}", s.files(), e.getMessage());
                counters.failed(e.getMessage());
                return; // store or disk trouble: try again next pass, delete nothing unverified
            }
        }
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
