package io.tieredarchive.tier.read;

import io.tieredarchive.tier.LocalTier;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.PartitionView;
import io.tieredarchive.tier.remote.RemoteSegmentStore;

import io.tieredarchive.segment.ByteSource;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentMetadata.FileInfo;
import io.tieredarchive.segment.SegmentReader;
import io.tieredarchive.tier.remote.RemoteLayout.SegmentKeys;
import org.apache.kafka.common.errors.InvalidTopicException;
import io.tieredarchive.config.TopicNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;

/**
 * Reads the archive of a partition from an offset or a time ({@link ArchiveCursor}), each segment from the
 * nearest tier that has it: the local tier ({@code local.dir}, when this worker still holds the copy), the
 * {@link RestoreCache}, else the store. From the store, a segment read from its start is downloaded whole into
 * the cache (it will be read whole); one entered in the middle is read with ranged GETs
 * ({@link RemoteByteSource}): its two indexes first, then only the {@code .log} bytes from the wanted batch on,
 * {@code readAhead} chunks ahead, concurrently. The chunks where the wanted batch most likely is are
 * asked for together with the indexes ({@link #open}).
 */
public final class ArchiveReader implements SegmentSource, Closeable {

    private static final Logger log = LoggerFactory.getLogger(ArchiveReader.class);

    /**
     * @param chunkBytes        bytes per ranged GET of a {@code .log}
     * @param readAhead         chunks fetched ahead of the reader
     * @param fetchThreads      ranged GETs in flight at once, over all readers
     * @param refreshIntervalMs at the end of the archive, how often a cursor looks for new segments
     */
    public record Options(int chunkBytes, int readAhead, int fetchThreads, long refreshIntervalMs) {
        public static final Options DEFAULT = new Options(1024 * 1024, 4, 8, 5_000);
    }

    /** What {@link #restore} brought back. */
    public record RestoreResult(List<SegmentMetadata> segments, long bytes, Path directory) {
    }

    /** Where the segments read came from, since this reader was created. */
    public record Stats(long localSegments, long cachedSegments, long downloadedSegments, long rangedSegments,
                        long bytesFetched) {
    }

    private final RemoteSegmentStore store;
    private final LocalTier local;
    private final RestoreCache cache;
    private final Options options;
    private final ExecutorService fetchPool;
    private final LongAdder localReads = new LongAdder();
    private final LongAdder cacheReads = new LongAdder();
    private final LongAdder downloads = new LongAdder();
    private final LongAdder rangedReads = new LongAdder();
    private final LongAdder bytesFetched = new LongAdder();

    /**
     * @param local null when this worker has no local tier to read from
     * @param cache null for no restore cache
     */
    public ArchiveReader(RemoteSegmentStore store, LocalTier local, RestoreCache cache, Options options) {
        this.store = store;
        this.local = local;
        this.cache = cache;
        this.options = options;
        AtomicInteger n = new AtomicInteger();
        this.fetchPool = Executors.newFixedThreadPool(options.fetchThreads(), r -> {
            Thread t = new Thread(r, "tiered-archive-fetch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Where the archive read is, for messages. */
    public String location() {
        return store.location();
    }

    /** The segments of a partition as the store shows them now (one manifest GET and one LIST). */
    @Override
    public PartitionView view(ArchivePartition partition) throws SegmentException {
        return store.view(partition);
    }

    @Override
    public long refreshIntervalMs() {
        return options.refreshIntervalMs();
    }

    /** The records of a partition from {@code offset} (the first archived after it, if it is not archived). */
    public ArchiveCursor fromOffset(ArchivePartition partition, long offset) throws SegmentException {
        return fromOffset(store.view(partition), offset);
    }

    /** As {@link #fromOffset(ArchivePartition, long)}, starting with a view the caller holds already. */
    public ArchiveCursor fromOffset(PartitionView view, long offset) {
        return new ArchiveCursor(this, view, offset, null);
    }

    /** The records of a partition from the first one (in offset order) with a timestamp at or after {@code ts}. */
    public ArchiveCursor fromTimestamp(ArchivePartition partition, long timestamp) throws SegmentException {
        return fromTimestamp(store.view(partition), timestamp);
    }

    /** As {@link #fromTimestamp(ArchivePartition, long)}, starting with a view the caller holds already. */
    public ArchiveCursor fromTimestamp(PartitionView view, long timestamp) {
        long start = view.segmentFromTimestamp(timestamp).map(SegmentMetadata::baseOffset)
                .orElse(Math.max(view.endOffset(), 0));
        return new ArchiveCursor(this, view, start, timestamp);
    }

    /**
     * Opens {@code meta}'s segment from the nearest tier. A caller reading from the first record
     * ({@code fromOffset} at or below the base offset) reads it whole, so a copy from the store is worth
     * downloading into the cache.
     */
    @Override
    public SegmentReader open(SegmentMetadata meta, long fromOffset) throws SegmentException {
        boolean wholeSegment = fromOffset <= meta.baseOffset();
        if (local != null) {
            var files = local.find(meta);
            if (files.isPresent()) {
                try {
                    SegmentReader reader = SegmentReader.open(files.get());
                    localReads.increment();
                    return reader;
                } catch (SegmentException e) {
                    log.debug("Local copy {} unusable, reading elsewhere: {}", files.get(), e.getMessage());
                }
            }
        }
        if (cache != null) {
            var files = cache.get(meta);
            if (files.isEmpty() && wholeSegment && cache.fits(meta)) {
                files = java.util.Optional.of(restoreToCache(meta));
            } else if (files.isPresent()) {
                cacheReads.increment();
            }
            if (files.isPresent()) {
                try {
                    return SegmentReader.open(files.get());
                } catch (SegmentException e) {
                    log.warn("Cached copy {} unusable, dropping it: {}", files.get(), e.getMessage());
                    cache.invalidate(meta);
                }
            }
        }
        rangedReads.increment();
        SegmentKeys keys = store.layout().keys(meta);
        // All asked for at once, the offset index (which the reader waits for first) first: one round trip.
        RemoteByteSource offsetIndex = remote(keys.offsetIndex(), meta.offsetIndex().size());
        offsetIndex.prefetch(0);
        RemoteByteSource timeIndex = remote(keys.timeIndex(), meta.timeIndex().size());
        timeIndex.prefetch(0);
        RemoteByteSource log = remote(keys.log(), meta.log().size());
        prefetchEstimated(log, meta, fromOffset);
        return SegmentReader.open(meta, log, offsetIndex, timeIndex, options.chunkBytes());
    }

    /**
     * Starts the ranged GETs of the {@code .log} chunks that most likely hold {@code fromOffset}'s batch, in the
     * same round trip as the indexes (which say where the batch is for sure): the record's position estimated
     * from its place among the segment's offsets; the chunks from one and a half chunks before it (its batch
     * starts up to a batch's size earlier, and the estimate is off by the spread of record sizes) to one chunk
     * after it (the reader's first buffer, a chunk long, reaches there): three or four chunks. Where records are
     * of similar sizes, the first record then costs one round trip instead of two; where the estimate misses,
     * the reader fetches its chunks as it would have, and the ones fetched for nothing are dropped (at most four
     * chunks' bytes).
     */
    private void prefetchEstimated(RemoteByteSource log, SegmentMetadata meta, long fromOffset) {
        long span = meta.lastOffset() - meta.baseOffset() + 1;
        if (fromOffset <= meta.baseOffset() || fromOffset > meta.lastOffset() || span <= 1) {
            return;
        }
        long estimate = (long) ((double) (fromOffset - meta.baseOffset()) / span * meta.log().size());
        log.prefetchChunks(Math.max(0, estimate - options.chunkBytes() * 3L / 2), estimate + options.chunkBytes());
    }

    /** Downloads {@code meta}'s segment into the restore cache (if not there yet) and returns its files there. */
    public SegmentFiles restoreToCache(SegmentMetadata meta) throws SegmentException {
        if (cache == null) {
            throw new IllegalStateException("No restore cache configured");
        }
        var cached = cache.get(meta);
        if (cached.isPresent()) {
            return cached.get();
        }
        Path staging;
        try {
            staging = cache.newStagingDir();
        } catch (IOException e) {
            throw new SegmentException("Cannot create a download directory in " + cache.dir() + ": " + e, e);
        }
        download(meta, staging);
        return cache.install(meta, staging);
    }

    /**
     * Brings the segments holding offsets {@code fromOffset..toOffset} (inclusive; -1: to the end) back as Kafka
     * segment files into {@code outputRoot/<topic>-<partition>/}, a directory the caller owns (files there are
     * replaced); {@code progress} hears the bytes of each segment once it is there.
     */
    public RestoreResult restore(ArchivePartition partition, long fromOffset, long toOffset, Path outputRoot,
                                 LongConsumer progress) throws SegmentException {
        String topic = partition.topic();
        try {
            TopicNames.validate(topic); // the topic names a directory under outputRoot: no '/', no '..'
        } catch (InvalidTopicException e) {
            throw new IllegalArgumentException("Cannot restore '" + topic + "': " + e.getMessage(), e);
        }
        return restore(restoreChain(partition, fromOffset, toOffset),
                RestoreTarget.replacing(outputRoot.resolve(topic + "-" + partition.partition())), progress);
    }

    /** The segments {@link #restore} brings back for offsets {@code fromOffset..toOffset} (-1: to the end). */
    public List<SegmentMetadata> restoreChain(ArchivePartition partition, long fromOffset, long toOffset)
            throws SegmentException {
        return store.view(partition).chain(fromOffset, toOffset);
    }

    /**
     * Brings the segments of {@code chain} ({@link #restoreChain}) back as Kafka segment files into
     * {@code target}'s directory, in order; {@code progress} hears the bytes of each segment once it is there.
     * A confined target gets new files only: a restore that would replace one fails, and leaves that file alone.
     */
    public RestoreResult restore(List<SegmentMetadata> chain, RestoreTarget target, LongConsumer progress)
            throws SegmentException {
        long bytes = 0;
        for (SegmentMetadata meta : chain) {
            download(meta, target);
            long size = meta.log().size() + meta.offsetIndex().size() + meta.timeIndex().size();
            bytes += size;
            progress.accept(size);
        }
        if (!chain.isEmpty()) {
            log.info("Restored {} segment(s) of {} ({} bytes) into {}", chain.size(),
                    ArchivePartition.of(chain.get(0)), bytes, target.directory());
        }
        return new RestoreResult(chain, bytes, target.directory());
    }

    /** The bytes {@link #restore} would bring back, to size a progress bar. */
    public long restoreBytes(ArchivePartition partition, long fromOffset, long toOffset) throws SegmentException {
        return restoreChain(partition, fromOffset, toOffset).stream()
                .mapToLong(m -> m.log().size() + m.offsetIndex().size() + m.timeIndex().size()).sum();
    }

    /**
     * Downloads {@code meta}'s segment as plain segment files into {@code dir} (created; files there replaced),
     * checking each file's size and CRC32C against the marker; the marker is written last.
     */
    public SegmentFiles download(SegmentMetadata meta, Path dir) throws SegmentException {
        return download(meta, RestoreTarget.replacing(dir));
    }

    /**
     * Downloads {@code meta}'s segment into {@code target} like {@link #download(SegmentMetadata, Path)}. Into a
     * confined target, files are only created new, and a failed download removes the files it created.
     */
    public SegmentFiles download(SegmentMetadata meta, RestoreTarget target) throws SegmentException {
        Path dir = target.directory();
        SegmentFiles files = SegmentFiles.of(dir, meta.baseOffset());
        SegmentKeys keys = store.layout().keys(meta);
        List<Path> created = new ArrayList<>();
        try {
            target.prepare();
            copy(keys.log(), meta.log(), files.log(), target, created);
            copy(keys.offsetIndex(), meta.offsetIndex(), files.offsetIndex(), target, created);
            copy(keys.timeIndex(), meta.timeIndex(), files.timeIndex(), target, created);
            byte[] marker = store.backend().fetchAll(keys.marker());
            Files.write(files.marker(), marker, target.writeOptions());
        } catch (IOException e) {
            removeCreated(target, created);
            throw new SegmentException("Cannot download segment " + store.backend().location() + keys.marker()
                    + " to " + dir + ": " + e, e);
        } catch (SegmentException | RuntimeException e) {
            removeCreated(target, created);
            throw e;
        }
        downloads.increment();
        return files;
    }

    /** After a failed download into a confined target: deletes the files it created, never another. */
    private static void removeCreated(RestoreTarget target, List<Path> created) {
        if (target.replacesFiles()) {
            return;
        }
        for (Path file : created) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("Cannot delete {} after a failed restore: {}", file, e.toString());
            }
        }
    }

    private void copy(String key, FileInfo expected, Path file, RestoreTarget target, List<Path> created)
            throws IOException, SegmentException {
        CRC32C crc = new CRC32C();
        try (ByteSource source = remote(key, expected.size());
             FileChannel out = FileChannel.open(file, target.writeOptions())) {
            created.add(file);
            ByteBuffer buffer = ByteBuffer.allocate(Math.max(64 * 1024, Math.min(options.chunkBytes(), 4 << 20)));
            long position = 0;
            while (position < expected.size()) {
                buffer.clear();
                int n = source.read(position, buffer);
                if (n < 0) {
                    break;
                }
                buffer.flip();
                crc.update(buffer.duplicate());
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                position += n;
            }
            out.force(true);
        }
        String actual = String.format("%08x", crc.getValue());
        if (!actual.equals(expected.crc32c())) {
            throw new CorruptSegmentException(store.backend().location() + key, -1, "downloaded CRC32C " + actual
                    + " differs from the marker's " + expected.crc32c());
        }
    }

    private RemoteByteSource remote(String key, long size) {
        return new RemoteByteSource((k, position, length) -> {
            byte[] bytes = store.backend().fetch(k, position, length);
            bytesFetched.add(bytes.length);
            return bytes;
        }, key, store.backend().location() + key, size, options.chunkBytes(), options.readAhead(), fetchPool);
    }

    public Stats stats() {
        return new Stats(localReads.sum(), cacheReads.sum(), downloads.sum(), rangedReads.sum(), bytesFetched.sum());
    }

    /** Stops the fetch threads; does not close the store, which the caller owns. */
    @Override
    public void close() {
        fetchPool.shutdownNow();
    }
}
