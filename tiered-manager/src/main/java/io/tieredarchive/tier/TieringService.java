package io.tieredarchive.tier;

import io.tieredarchive.tier.remote.RemoteSegmentStore;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 *   <li>scans every sealed segment under {@code local.dir}, of any partition, assigned here or not;</li>
 *   <li>uploads those sealed at least {@code tier.upload.delay.ms} ago, per partition in offset order (up to
 *       {@code uploadThreads} partitions at once), verifies them and registers them in the manifest, then marks
 *       them tiered locally; a partition whose upload fails waits a doubling backoff and is retried, nothing
 *       else changes;</li>
 *   <li>deletes tiered local copies by age and size ({@link RetentionPolicy}), each only after checking again
 *       that all its objects are in the store.</li>
 * </ol>
 * For the sink: {@link #segmentSealed} when a segment is sealed, {@link #remoteDurableEnd} for
 * {@code commit.mode=remote}, {@link #archivedEnd} when a partition is opened. One service per {@code local.dir}
 * in a worker: {@link #acquire} shares it between the tasks of a connector.
 */
public final class TieringService implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(TieringService.class);

    private final TieringSettings settings;
    private final RemoteSegmentStore store;
    private final LongSupplier clock;
    private final LocalTier local;
    private final List<TieringListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService uploaders;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final Object passLock = new Object();
    private final TieringCounters counters = new TieringCounters();

    /** Sealed local segments by marker path; guarded by {@code this}. */
    private final Map<SegmentFiles, LocalSegment> segments = new HashMap<>();
    /** Per partition: tiered end and backoff; guarded by {@code this}. */
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();

    private static final class PartitionState {
        long tieredEnd = -1;
        int failures;
        long nextAttemptAtMs;
    }

    public TieringService(TieringSettings settings, RemoteSegmentStore store, LongSupplier clock) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        this.local = new LocalTier(settings.localDir());
        this.uploaders = Executors.newFixedThreadPool(settings.uploadThreads(),
                daemon("tiered-archive-upload-" + settings.localDir().getFileName()));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                daemon("tiered-archive-tiering-" + settings.localDir().getFileName()));
    }

    /** Starts the periodic passes. */
    public void start() {
        log.info("Tiering {} to {} every {} ms (upload delay {} ms, local retention {} ms / {} bytes)",
                settings.localDir(), store.backend().location() + store.layout().rootPrefix(),
                settings.scanIntervalMs(), settings.uploadDelayMs(), settings.localRetentionMs(),
                settings.localRetentionBytes());
        scheduler.scheduleWithFixedDelay(this::passQuietly, 0, settings.scanIntervalMs(), TimeUnit.MILLISECONDS);
    }

    public void addListener(TieringListener listener) {
        listeners.add(listener);
    }

    public void removeListener(TieringListener listener) {
        listeners.remove(listener);
    }

    public RemoteSegmentStore store() {
        return store;
    }

    public LocalTier localTier() {
        return local;
    }

    /** The sink sealed a segment: it counts as pending at once, and a pass is started soon. */
    public void segmentSealed(TopicPartition tp, SegmentFiles files, SegmentMetadata meta) {
        synchronized (this) {
            segments.putIfAbsent(files, new LocalSegment(files, meta, false));
        }
        wakeUp();
    }

    /** Asks for a pass as soon as the tiering thread is free. */
    public void wakeUp() {
        if (wakeQueued.compareAndSet(false, true) && !scheduler.isShutdown()) {
            scheduler.execute(() -> {
                wakeQueued.set(false);
                passQuietly();
            });
        }
    }

    /**
     * The offset below which every record of {@code tp} sealed under this {@code local.dir} is verified in the
     * store: the base of the oldest segment not yet tiered, else the end of the tiered ones (or the archive's end
     * found by {@link #archivedEnd}); -1 when nothing is known. Answers from memory.
     */
    public synchronized long remoteDurableEnd(TopicPartition tp) {
        long pending = segments.values().stream()
                .filter(s -> !s.tiered() && s.topicPartition().equals(tp))
                .mapToLong(s -> s.meta().baseOffset()).min().orElse(-1);
        if (pending >= 0) {
            return pending;
        }
        PartitionState state = partitions.get(tp);
        return state == null ? -1 : state.tieredEnd;
    }

    /**
     * Where the archive of {@code tp} ends, for the sink opening a partition: the later of the sealed local
     * segments' end and the end of the segments in the store (one manifest GET and one LIST).
     */
    public long archivedEnd(TopicPartition tp, long localSealedEnd) throws SegmentException {
        long remoteEnd = store.view(tp.topic(), tp.partition()).endOffset();
        synchronized (this) {
            PartitionState state = partitions.computeIfAbsent(tp, k -> new PartitionState());
            state.tieredEnd = Math.max(state.tieredEnd, remoteEnd);
        }
        return Math.max(localSealedEnd, remoteEnd);
    }

    public TieringStats stats() {
        List<LocalSegment> now;
        synchronized (this) {
            now = new ArrayList<>(segments.values());
        }
        return counters.snapshot(now);
    }

    /** One pass: scan, upload what is due, apply retention. Runs on the caller's thread; passes never overlap. */
    public void runPass() {
        runPass(false);
    }

    /**
     * A pass that uploads every sealed segment now, whatever {@code tier.upload.delay.ms} and backoff say
     * ({@code tiered-archive archive}, {@code POST /tiered-archive/archive}).
     */
    public void archiveNow() {
        runPass(true);
    }

    private void runPass(boolean now) {
        synchronized (passLock) {
            try {
                refresh();
            } catch (IOException e) {
                counters.failed("Cannot scan " + settings.localDir() + ": " + e);
                log.warn("Cannot scan {}: {}", settings.localDir(), e.toString());
                return;
            }
            uploadDue(now);
            applyRetention();
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
        List<LocalSegment> scanned = local.scan(); // disk I/O outside the lock: remoteDurableEnd stays quick
        Map<SegmentFiles, LocalSegment> fresh = new HashMap<>();
        for (LocalSegment s : scanned) {
            fresh.put(s.files(), s);
        }
        synchronized (this) {
            for (LocalSegment s : scanned) {
                if (s.tiered()) {
                    tiered(s.topicPartition(), s.meta());
                }
            }
            // A segment the sink reported while the scan ran is kept if its files are still there.
            segments.values().removeIf(s -> !fresh.containsKey(s.files())
                    && !(Files.exists(s.files().marker()) && Files.exists(s.files().log())));
            segments.putAll(fresh);
        }
    }

    private void tiered(TopicPartition tp, SegmentMetadata meta) {
        PartitionState state = partitions.computeIfAbsent(tp, k -> new PartitionState());
        state.tieredEnd = Math.max(state.tieredEnd, meta.nextOffset());
    }

    private void uploadDue(boolean ignoreDelay) {
        long now = clock.getAsLong();
        Map<TopicPartition, List<LocalSegment>> due = new HashMap<>();
        synchronized (this) {
            for (LocalSegment s : segments.values()) {
                PartitionState state = partitions.get(s.topicPartition());
                boolean ready = s.meta().sealedAtMs() + settings.uploadDelayMs() <= now
                        && (state == null || state.nextAttemptAtMs <= now);
                if (!s.tiered() && (ready || ignoreDelay)) {
                    due.computeIfAbsent(s.topicPartition(), k -> new ArrayList<>()).add(s);
                }
            }
        }
        List<Future<?>> running = new ArrayList<>();
        for (Map.Entry<TopicPartition, List<LocalSegment>> e : due.entrySet()) {
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

    /** Uploads {@code pending} in offset order, stopping at the first failure; registers what went up. */
    private void uploadPartition(TopicPartition tp, List<LocalSegment> pending) {
        List<LocalSegment> uploaded = new ArrayList<>();
        long bytes = 0;
        Exception failure = null;
        try {
            for (LocalSegment s : pending) {
                bytes += store.upload(s.files(), s.meta());
                uploaded.add(s);
            }
        } catch (SegmentException | RuntimeException e) {
            failure = e;
        }
        try {
            if (!uploaded.isEmpty()) {
                store.register(tp.topic(), tp.partition(), uploaded.stream().map(LocalSegment::meta).toList());
                for (LocalSegment s : uploaded) {
                    LocalTier.markTiered(s.files(), store.layout().keys(s.meta()).marker());
                    markTieredInMemory(tp, s);
                }
                counters.uploaded(uploaded.size(), bytes);
                log.info("Tiered {} segment(s) of {} up to offset {} ({} bytes sent)", uploaded.size(), tp,
                        uploaded.get(uploaded.size() - 1).meta().lastOffset(), bytes);
            }
        } catch (SegmentException | IOException | RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        recordOutcome(tp, failure);
    }

    private void markTieredInMemory(TopicPartition tp, LocalSegment s) {
        synchronized (this) {
            segments.put(s.files(), s.withTiered(true));
            tiered(tp, s.meta());
        }
        for (TieringListener listener : listeners) {
            try {
                listener.segmentTiered(tp, s.meta());
            } catch (RuntimeException e) {
                log.warn("Tiering listener failed for {} segment {}", tp, s.meta().baseOffset(), e);
            }
        }
    }

    private void recordOutcome(TopicPartition tp, Exception failure) {
        synchronized (this) {
            PartitionState state = partitions.computeIfAbsent(tp, k -> new PartitionState());
            if (failure == null) {
                state.failures = 0;
                state.nextAttemptAtMs = 0;
                return;
            }
            state.failures++;
            long wait = settings.backoffMs(state.failures);
            state.nextAttemptAtMs = clock.getAsLong() + wait;
            log.warn("Upload of {} failed (attempt {}), retrying in {} ms; local copies are kept: {}", tp,
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
            try {
                if (!store.isVerified(s.files(), s.meta())) {
                    log.warn("Segment {} of {} is no longer complete in {}; keeping the local copy and uploading "
                            + "it again", s.meta().baseOffset(), s.topicPartition(), store.backend().location());
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
        store.close();
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
