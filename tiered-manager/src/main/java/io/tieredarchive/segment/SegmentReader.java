package io.tieredarchive.segment;

import io.tieredarchive.segment.SegmentMetadata.FileInfo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Reads a sealed segment from any {@link ByteSource}: a local file, or S3 ranged reads. Opening loads both indexes
 * (small) and checks them against the marker's sizes and CRC32Cs, and checks the {@code .log}'s size. A lookup
 * finds the nearest indexed batch at or before the target by binary search, then walks batch headers forward;
 * iteration reads the {@code .log} forward in large buffered reads from there. Every batch is CRC-checked before
 * its records are returned; any mismatch raises {@link CorruptSegmentException} naming the object, the batch's
 * position and base offset. Lookups and iterators may be used from one thread at a time each.
 */
public final class SegmentReader implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(SegmentReader.class);

    /** How much of the {@code .log} one read fetches by default. */
    public static final int DEFAULT_READ_BUFFER_BYTES = 1024 * 1024;

    private final SegmentMetadata meta;
    private final ByteSource logSource;
    private final List<ByteSource> sources;
    private final SegmentIndexes indexes;
    private final int readBufferBytes;

    private SegmentReader(SegmentMetadata meta, ByteSource logSource, List<ByteSource> sources,
                          SegmentIndexes indexes, int readBufferBytes) {
        this.meta = meta;
        this.logSource = logSource;
        this.sources = sources;
        this.indexes = indexes;
        this.readBufferBytes = readBufferBytes;
    }

    /** Opens the sealed segment {@code files} on local disk; fails if it has no marker. */
    public static SegmentReader open(SegmentFiles files) throws SegmentException {
        SegmentMetadata meta = SegmentMetadata.read(files.marker());
        if (meta.baseOffset() != files.baseOffset()) {
            throw new CorruptSegmentException(files.marker().toString(), -1, "marker names base offset "
                    + meta.baseOffset() + ", the file name " + files.baseOffset());
        }
        List<ByteSource> opened = new ArrayList<>(3);
        try {
            opened.add(new FileByteSource(files.log()));
            opened.add(new FileByteSource(files.offsetIndex()));
            opened.add(new FileByteSource(files.timeIndex()));
        } catch (IOException e) {
            closeAll(opened);
            throw new SegmentException("Cannot open segment " + files + ": " + e.getMessage(), e);
        }
        return open(meta, opened.get(0), opened.get(1), opened.get(2));
    }

    /**
     * Opens a sealed segment whose files come from any source. The reader owns the sources: it closes them on
     * {@link #close()}, and when opening fails.
     */
    public static SegmentReader open(SegmentMetadata meta, ByteSource log, ByteSource offsetIndex,
                                     ByteSource timeIndex) throws SegmentException {
        return open(meta, log, offsetIndex, timeIndex, DEFAULT_READ_BUFFER_BYTES);
    }

    /** As {@link #open(SegmentMetadata, ByteSource, ByteSource, ByteSource)}, reading {@code readBufferBytes} of the
     * {@code .log} at a time. */
    public static SegmentReader open(SegmentMetadata meta, ByteSource log, ByteSource offsetIndex,
                                     ByteSource timeIndex, int readBufferBytes) throws SegmentException {
        List<ByteSource> sources = List.of(log, offsetIndex, timeIndex);
        try {
            if (meta.formatVersion() > SegmentMetadata.FORMAT_VERSION) {
                throw new SegmentException("Segment " + log.name() + " has format version " + meta.formatVersion()
                        + ", newer than the newest this reader knows (" + SegmentMetadata.FORMAT_VERSION + ")");
            }
            long logSize = log.size();
            if (logSize != meta.log().size()) {
                throw new CorruptSegmentException(log.name(), -1, "size " + logSize + " differs from the "
                        + meta.log().size() + " bytes its marker records");
            }
            byte[] offsetBytes = readChecked(offsetIndex, meta.offsetIndex());
            byte[] timeBytes = readChecked(timeIndex, meta.timeIndex());
            SegmentIndexes indexes = SegmentIndexes.parse(meta.baseOffset(), logSize, offsetBytes,
                    offsetIndex.name(), timeBytes, timeIndex.name());
            return new SegmentReader(meta, log, sources, indexes, Math.max(readBufferBytes, BatchHeader.SIZE));
        } catch (IOException e) {
            closeAll(sources);
            throw new SegmentException("Cannot open segment " + log.name() + ": " + e.getMessage(), e);
        } catch (SegmentException | RuntimeException e) {
            closeAll(sources);
            throw e;
        }
    }

    private static byte[] readChecked(ByteSource source, FileInfo expected) throws IOException,
            CorruptSegmentException {
        byte[] bytes = source.readAll();
        FileInfo actual = FileInfo.of(bytes);
        if (!actual.equals(expected)) {
            throw new CorruptSegmentException(source.name(), -1, "size " + actual.size() + " and CRC32C "
                    + actual.crc32c() + " differ from the marker's " + expected.size() + " and " + expected.crc32c());
        }
        return bytes;
    }

    public SegmentMetadata metadata() {
        return meta;
    }

    /**
     * Byte position in the {@code .log} of the batch holding {@code offset}, or of the first batch after it when
     * {@code offset} falls in a gap or before the base; -1 when no record of the segment is at or after it.
     */
    public long positionOf(long offset) throws SegmentException {
        return positionOf(scanner(), offset);
    }

    private long positionOf(LogScanner scanner, long offset) throws SegmentException {
        if (offset > meta.lastOffset()) {
            return -1;
        }
        BatchHeader found = scan(scanner, indexes.startPositionForOffset(offset), h -> h.lastOffset() >= offset);
        return found == null ? -1 : found.position();
    }

    /**
     * Byte position of the first batch that may hold a record with a timestamp at or after {@code timestamp}
     * (its max timestamp is), or -1 when no batch does.
     */
    public long positionOfTimestamp(long timestamp) throws SegmentException {
        return positionOfTimestamp(scanner(), timestamp);
    }

    private long positionOfTimestamp(LogScanner scanner, long timestamp) throws SegmentException {
        if (timestamp > meta.maxTimestamp()) {
            return -1;
        }
        long start = indexes.startPositionForOffset(indexes.startOffsetForTimestamp(timestamp));
        BatchHeader found = scan(scanner, start, h -> h.maxTimestamp() >= timestamp);
        return found == null ? -1 : found.position();
    }

    /** The records with offsets at or after {@code fromOffset}, in offset order, to the end of the segment. */
    public Iterator<ArchivedRecord> recordsFrom(long fromOffset) throws SegmentException {
        LogScanner scanner = scanner();
        return new RecordIterator(scanner, positionOf(scanner, fromOffset), meta.baseOffset(), meta.lastOffset(),
                r -> r.offset() >= fromOffset);
    }

    /**
     * The records from the first one (in offset order) whose timestamp is at or after {@code timestamp}, to the
     * end of the segment: Kafka's offsets-for-times, then everything after it, whatever its timestamp.
     */
    public Iterator<ArchivedRecord> recordsFromTimestamp(long timestamp) throws SegmentException {
        LogScanner scanner = scanner();
        return new RecordIterator(scanner, positionOfTimestamp(scanner, timestamp), meta.baseOffset(),
                meta.lastOffset(), r -> r.timestamp() >= timestamp);
    }

    /** Walks batch headers from {@code position} to the first that {@code stop} accepts; null at the end. */
    private BatchHeader scan(LogScanner scanner, long position, Predicate<BatchHeader> stop)
            throws SegmentException {
        long previousLast = meta.baseOffset() - 1;
        for (BatchHeader h = scanner.header(position, previousLast); h != null;
             h = scanner.header(h.nextPosition(), previousLast)) {
            if (stop.test(h)) {
                return h;
            }
            previousLast = h.lastOffset();
        }
        return null;
    }

    private LogScanner scanner() {
        return new LogScanner(logSource, meta.log().size(), readBufferBytes, indexes);
    }

    @Override
    public void close() {
        closeAll(sources);
    }

    private static void closeAll(List<ByteSource> sources) {
        for (ByteSource source : sources) {
            try {
                source.close();
            } catch (IOException e) {
                log.warn("Cannot close {}: {}", source.name(), e.toString());
            }
        }
    }
}
