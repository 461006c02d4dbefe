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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * <p>Strict LRU by bytes rather than Caffeine: Caffeine's W-TinyLFU admission keeps frequently read entries and
 * may reject the segment just downloaded in their favour, while a restore must stay until it has been read.
 */
public final class RestoreCache {

    private static final Logger log = LoggerFactory.getLogger(RestoreCache.class);
    private static final String STAGING = ".staging";

    private final Path dir;
    private final long maxBytes;
    /** Access-ordered: the first entry is the least recently used. Guarded by {@code this}. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    private record Entry(SegmentFiles files, long bytes) {
    }

    public RestoreCache(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(dir);
            Directories.deleteTree(dir.resolve(STAGING));
            loadExisting();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot use restore.cache.dir " + dir, e);
        }
        log.info("Restore cache {}: {} segment(s), {} of {} bytes", dir, entries.size(), bytes, maxBytes);
    }

    public Path dir() {
        return dir;
    }

    public synchronized long sizeBytes() {
        return bytes;
    }

    public synchronized int segmentCount() {
        return entries.size();
    }

    /** True when the segment could be cached at all (not larger than the whole cache). */
    public boolean fits(SegmentMetadata meta) {
        return bytesOf(meta) <= maxBytes;
    }

    /** The cached copy of the segment {@code meta} names, marking it most recently used. */
    public synchronized Optional<SegmentFiles> get(SegmentMetadata meta) {
        Entry e = entries.get(keyOf(meta));
        return e == null ? Optional.empty() : Optional.of(e.files());
    }

    /** A fresh directory to download a segment into before {@link #install}. */
    public Path newStagingDir() throws IOException {
        return Files.createDirectories(dir.resolve(STAGING).resolve(UUID.randomUUID().toString()));
    }

    /**
     * Moves the downloaded segment in {@code staging} (files named as {@link SegmentFiles} names them, marker
     * included) into the cache, evicting least recently used segments to make room.
     */
    public SegmentFiles install(SegmentMetadata meta, Path staging) throws SegmentException {
        String key = keyOf(meta);
        Path target = dir.resolve(key);
        if (!target.normalize().startsWith(dir.normalize()) || !target.normalize().equals(target)) {
            deleteQuietly(staging);
            throw new SegmentException("Segment " + key + " would be cached at " + target.normalize()
                    + ", outside the restore cache " + dir + ": its topic '" + meta.topic() + "' is not a Kafka topic "
                    + "name; refusing it");
        }
        synchronized (this) {
            Entry existing = entries.get(key);
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
            entries.put(key, entry);
            bytes += entry.bytes();
            evictOver(maxBytes, key);
            return entry.files();
        }
    }

    /** Drops the cached copy of {@code meta}, e.g. after it failed to open. */
    public synchronized void invalidate(SegmentMetadata meta) {
        Entry e = entries.remove(keyOf(meta));
        if (e != null) {
            bytes -= e.bytes();
            deleteQuietly(e.files().dir());
        }
    }

    private void evictOver(long limit, String keep) {
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

    private void loadExisting() throws IOException {
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
                    Entry entry = new Entry(SegmentFiles.of(marker.getParent(), meta.baseOffset()), bytesOf(meta));
                    entries.put(key, entry);
                    bytes += entry.bytes();
                }
            } catch (SegmentException e) {
                log.warn("Dropping unreadable cached segment {}: {}", marker.getParent(), e.getMessage());
                deleteQuietly(marker.getParent());
            }
        }
        evictOver(maxBytes, null);
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
