package io.tieredarchive.tier.read;

import io.tieredarchive.tier.remote.RemoteLayout;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Whole segments brought back from the store, on local disk, at most {@code maxBytes} of them; the least
 * recently used go first. Layout under {@code restore.cache.dir}:
 * <pre>
 * &lt;topic&gt;/&lt;partition&gt;/&lt;base&gt;-&lt;writerId&gt;/&lt;base&gt;.log, .index, .timeindex, .json   one cached segment
 * .staging/&lt;uuid&gt;/                                                  a download in progress
 * </pre>
 * A segment is downloaded into {@code .staging}, checked, and renamed into place with its marker, so the cache
 * never holds half a segment; a restart keeps what was there (its recency order is then the directory's) and
 * clears {@code .staging}.
 *
 * <p>One directory, one cache per JVM (a Connect worker): every {@code RestoreCache} opened on the same directory
 * (the replay tasks of a worker) is a handle on one shared index, with one budget, so that no task deletes another's
 * downloads and together they never hold more than the budget. The budget is the smallest {@code maxBytes} among
 * the open handles: no task's limit is ever exceeded, and a lowered limit takes effect at once (a WARN names both
 * when they differ). The last {@link #close} lets the directory go; the next open reads it again from disk. Two
 * worker processes must not share a directory.
 *
 * <p>Strict LRU by bytes rather than Caffeine: Caffeine's W-TinyLFU admission keeps frequently read entries and
 * may reject the segment just downloaded in their favour, while a restore must stay until it has been read.
 */
public final class RestoreCache implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(RestoreCache.class);
    private static final String STAGING = ".staging";
    /** The directories open in this JVM, by real path. Guarded by {@code RestoreCache.class}. */
    private static final Map<Path, Shared> OPEN = new HashMap<>();

    private final Shared shared;
    private final long maxBytes;
    private boolean closed;

    private record Entry(SegmentFiles files, long bytes) {
    }

    /**
     * Opens the cache in {@code dir} with a budget of {@code maxBytes}, sharing the directory's index with every
     * other handle open on it in this JVM. Pair with {@link #close}.
     */
    public RestoreCache(Path dir, long maxBytes) {
        this.maxBytes = maxBytes;
        this.shared = open(dir, maxBytes);
    }

    private static synchronized Shared open(Path dir, long maxBytes) {
        Path key;
        try {
            key = Files.createDirectories(dir).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot use restore.cache.dir " + dir, e);
        }
        Shared shared = OPEN.get(key);
        if (shared == null) {
            shared = new Shared(dir, key, maxBytes);
            OPEN.put(key, shared);
        }
        shared.join(maxBytes);
        return shared;
    }

    /** Gives this handle back; the directory is let go with the last one. Does nothing the second time. */
    @Override
    public void close() {
        synchronized (RestoreCache.class) {
            if (closed) {
                return;
            }
            closed = true;
            if (shared.leave(maxBytes) && OPEN.get(shared.key) == shared) {
                OPEN.remove(shared.key);
            }
        }
    }

    public Path dir() {
        return shared.dir;
    }

    public long sizeBytes() {
        synchronized (shared) {
            return shared.bytes;
        }
    }

    public int segmentCount() {
        synchronized (shared) {
            return shared.entries.size();
        }
    }

    /** True when the segment could be cached at all (not larger than the whole cache). */
    public boolean fits(SegmentMetadata meta) {
        synchronized (shared) {
            return bytesOf(meta) <= shared.budget();
        }
    }

    /** The cached copy of the segment {@code meta} names, marking it most recently used. */
    public Optional<SegmentFiles> get(SegmentMetadata meta) {
        synchronized (shared) {
            Entry e = shared.entries.get(keyOf(meta));
            return e == null ? Optional.empty() : Optional.of(e.files());
        }
    }

    /** A fresh directory to download a segment into before {@link #install}. */
    public Path newStagingDir() throws IOException {
        return Files.createDirectories(shared.dir.resolve(STAGING).resolve(UUID.randomUUID().toString()));
    }

    /**
     * Moves the downloaded segment in {@code staging} (files named as {@link SegmentFiles} names them, marker
     * included) into the cache, evicting least recently used segments to make room.
     */
    public SegmentFiles install(SegmentMetadata meta, Path staging) throws SegmentException {
        String key = keyOf(meta);
        Path dir = shared.dir;
        Path target = dir.resolve(key);
        if (!target.normalize().startsWith(dir.normalize()) || !target.normalize().equals(target)) {
            deleteQuietly(staging);
            throw new SegmentException("Segment " + key + " would be cached at " + target.normalize()
                    + ", outside the restore cache " + dir + ": its topic '" + meta.topic() + "' is not a Kafka topic "
                    + "name; refusing it");
        }
        synchronized (shared) {
            Entry existing = shared.entries.get(key);
            if (existing != null) {
                deleteQuietly(staging);
                return existing.files();
            }
            try {
                Files.createDirectories(target.getParent());
                Directories.deleteTree(target);
                try {
                    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(staging, target);
                }
            } catch (IOException e) {
                deleteQuietly(staging);
                throw new SegmentException("Cannot install segment " + key + " in the restore cache " + dir + ": "
                        + e, e);
            }
            Entry entry = new Entry(SegmentFiles.of(target, meta.baseOffset()), bytesOf(meta));
            shared.entries.put(key, entry);
            shared.bytes += entry.bytes();
            shared.evictOver(shared.budget(), key);
            return entry.files();
        }
    }

    /** Drops the cached copy of {@code meta}, e.g. after it failed to open. */
    public void invalidate(SegmentMetadata meta) {
        synchronized (shared) {
            Entry e = shared.entries.remove(keyOf(meta));
            if (e != null) {
                shared.bytes -= e.bytes();
                deleteQuietly(e.files().dir());
            }
        }
    }

    /** The index of one directory, shared by its handles. Guarded by itself. */
    private static final class Shared {
        private final Path dir;
        private final Path key;
        /** Access-ordered: the first entry is the least recently used. */
        private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
        /** The budgets the open handles asked for, with how many asked each. */
        private final TreeMap<Long, Integer> budgets = new TreeMap<>();
        private long bytes;

        Shared(Path dir, Path key, long initialBudget) {
            this.dir = dir;
            this.key = key;
            try {
                Directories.deleteTree(dir.resolve(STAGING));
                loadExisting(initialBudget);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot use restore.cache.dir " + dir, e);
            }
            log.info("Restore cache {}: {} segment(s), {} of {} bytes", dir, entries.size(), bytes, initialBudget);
        }

        synchronized long budget() {
            return budgets.isEmpty() ? Long.MAX_VALUE : budgets.firstKey();
        }

        synchronized void join(long maxBytes) {
            if (!budgets.isEmpty() && !budgets.containsKey(maxBytes)) {
                log.warn("restore.cache.dir {} is used with restore.cache.bytes {} and {}; the directory keeps to the "
                        + "smallest, {}. Give each connector its own directory to give each its own budget.", dir,
                        budgets.keySet(), maxBytes, Math.min(budgets.firstKey(), maxBytes));
            }
            budgets.merge(maxBytes, 1, Integer::sum);
            evictOver(budget(), null);
        }

        /** True when no handle is left. */
        synchronized boolean leave(long maxBytes) {
            budgets.computeIfPresent(maxBytes, (k, n) -> n == 1 ? null : n - 1);
            return budgets.isEmpty();
        }

        void evictOver(long limit, String keep) {
            Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
            while (bytes > limit && it.hasNext()) {
                Map.Entry<String, Entry> lru = it.next();
                if (lru.getKey().equals(keep)) {
                    continue;
                }
                it.remove();
                bytes -= lru.getValue().bytes();
                deleteQuietly(lru.getValue().files().dir());
                log.debug("Evicted {} ({} bytes) from the restore cache", lru.getKey(), lru.getValue().bytes());
            }
        }

        private void loadExisting(long budget) throws IOException {
            List<Path> markers = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(dir, 4)) {
                walk.filter(p -> p.getFileName().toString().endsWith(SegmentFiles.MARKER_SUFFIX)
                        && !p.startsWith(dir.resolve(STAGING))).forEach(markers::add);
            }
            markers.sort(Comparator.comparing(RestoreCache::modifiedTime));
            for (Path marker : markers) {
                try {
                    SegmentMetadata meta = SegmentMetadata.read(marker);
                    String key = keyOf(meta);
                    if (marker.getParent().equals(dir.resolve(key))) {
                        Entry entry = new Entry(SegmentFiles.of(marker.getParent(), meta.baseOffset()),
                                bytesOf(meta));
                        entries.put(key, entry);
                        bytes += entry.bytes();
                    }
                } catch (SegmentException e) {
                    log.warn("Dropping unreadable cached segment {}: {}", marker.getParent(), e.getMessage());
                    deleteQuietly(marker.getParent());
                }
            }
            evictOver(budget, null);
        }
    }

    static String keyOf(SegmentMetadata meta) {
        return meta.topic() + "/" + meta.partition() + "/" + RemoteLayout.segmentName(meta.baseOffset(),
                meta.writerId());
    }

    static long bytesOf(SegmentMetadata meta) {
        return meta.log().size() + meta.offsetIndex().size() + meta.timeIndex().size();
    }

    private static long modifiedTime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Directories.deleteTree(path);
        } catch (IOException e) {
            log.warn("Cannot delete {} from the restore cache: {}", path, e.toString());
        }
    }
}
