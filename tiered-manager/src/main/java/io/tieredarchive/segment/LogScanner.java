package io.tieredarchive.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Walks the batches of a {@code .log} through a {@link ByteSource}, in large buffered reads, checking each header
 * (magic 2, a size that fits, offsets that ascend) and the CRC of each batch it loads. Every failure names the
 * object, the batch's byte position and, where readable, its base offset. Not thread-safe.
 */
final class LogScanner {

    private final ChunkedReader reader;
    private final String name;
    private final long logSize;
    private final SegmentIndexes indexes;
    private final CRC32C crc = new CRC32C();

    /** A scanner that checks each batch's last offset against {@code indexes}, when not null. */
    LogScanner(ByteSource log, long logSize, int chunkBytes, SegmentIndexes indexes) {
        this.reader = new ChunkedReader(log, logSize, chunkBytes);
        this.name = log.name();
        this.logSize = logSize;
        this.indexes = indexes;
    }

    String name() {
        return name;
    }

    long logSize() {
        return logSize;
    }

    /**
     * The checked header of the batch at {@code position}, or null when {@code position} is the end of the log.
     * {@code previousLastOffset} is the last offset of the batch before it, or base offset - 1 for the first.
     */
    BatchHeader header(long position, long previousLastOffset) throws SegmentException {
        if (position >= logSize) {
            return null;
        }
        ByteBuffer bytes = read(position, BatchHeader.SIZE);
        if (bytes.remaining() < BatchHeader.SIZE) {
            throw new CorruptSegmentException(name, position, "the log ends " + bytes.remaining()
                    + " bytes into a batch header (a torn batch)");
        }
        BatchHeader header = BatchHeader.parse(position, bytes);
        String problem = header.problem(previousLastOffset, logSize);
        long indexed = indexes == null ? -1 : indexes.indexedLastOffsetAt(position);
        if (problem == null && indexed >= 0 && indexed != header.lastOffset()) {
            problem = "its header says last offset " + header.lastOffset() + ", the offset index " + indexed;
        }
        if (problem != null) {
            throw new CorruptSegmentException(name, position, "batch with base offset " + header.baseOffset()
                    + ": " + problem);
        }
        return header;
    }

    /**
     * The bytes of the whole batch {@code header} describes, from its first byte, after checking its CRC and then
     * its attributes (a known codec, not a control batch). Valid until the next call.
     */
    ByteBuffer batch(BatchHeader header) throws SegmentException {
        ByteBuffer bytes = read(header.position(), header.sizeInBytes());
        if (bytes.remaining() < header.sizeInBytes()) {
            throw corrupt(header, "it is shorter than its length field says", null);
        }
        crc.reset();
        crc.update(bytes.duplicate().position(BatchHeader.ATTRIBUTES_OFFSET).limit(header.sizeInBytes()));
        if ((int) crc.getValue() != header.crc()) {
            throw corrupt(header, "it fails its CRC check (stored " + Integer.toUnsignedString(header.crc())
                    + ", computed " + crc.getValue() + ")", null);
        }
        String problem = header.contentProblem();
        if (problem != null) {
            throw corrupt(header, problem, null);
        }
        return bytes;
    }

    /** A CorruptSegmentException for a problem found inside the batch {@code header} describes. */
    CorruptSegmentException corrupt(BatchHeader header, String problem, Throwable cause) {
        return new CorruptSegmentException(name, header.position(), "batch with base offset " + header.baseOffset()
                + ": " + problem, cause);
    }

    private ByteBuffer read(long position, int length) throws SegmentException {
        try {
            return reader.read(position, length);
        } catch (IOException e) {
            throw new SegmentException("Cannot read " + length + " bytes at position " + position + " of " + name
                    + ": " + e.getMessage(), e);
        }
    }
}
