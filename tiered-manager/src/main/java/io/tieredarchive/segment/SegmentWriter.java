package io.tieredarchive.segment;

import io.tieredarchive.segment.SegmentMetadata.FileInfo;
import io.tieredarchive.segment.codec.BatchCompression;
import io.tieredarchive.segment.codec.GrowableBytes;

import org.apache.kafka.common.record.TimestampType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Appends the records of one topic-partition to a new segment in Kafka's own on-disk format, so that Kafka's
 * {@code kafka-dump-log.sh} reads it as it reads a broker's segment. The format is specified in full in
 * {@code docs/segment-format.md}; in brief:
 * <ul>
 *   <li>{@code <base>.log}: Kafka record batches, magic 2, back to back from byte 0, each built by
 *       {@link OpenBatch} byte for byte as Kafka's {@code MemoryRecordsBuilder} lays it out. A batch holds up to
 *       {@link SegmentWriterOptions#batchBytes()} uncompressed bytes, compressed as one block with the configured
 *       codec when it is complete. Records keep their original offsets (gaps
 *       allowed), timestamps, keys, values and headers. A batch holds records of one timestamp type; a
 *       {@code LOG_APPEND_TIME} batch holds records of one timestamp (Kafka stores that type's timestamp once per
 *       batch, in its max-timestamp field).</li>
 *   <li>{@code <base>.index}: 8-byte big-endian entries, one per batch: int32 {@code lastOffset - base}, int32
 *       byte position of the batch in the {@code .log}.</li>
 *   <li>{@code <base>.timeindex}: 12-byte big-endian entries: int64 timestamp, int32 {@code offset - base}; an
 *       entry for each batch whose max timestamp exceeds every earlier one, with that batch's last offset.</li>
 *   <li>{@code <base>.json}: the marker ({@link SegmentMetadata}).</li>
 * </ul>
 * A full batch is written to the {@code .log} at once (not fsynced); in memory the writer holds only the open
 * batch, uncompressed (its buffer is allocated per batch and dropped once written, see {@link #retainedBytes()}),
 * and the index entries. The batch is compressed into a buffer shared by all writers ({@link CompressionBuffers})
 * just before it is written, so no writer holds codec state or a compressed copy between batches; the arrays a
 * batch grew into go back to {@link BatchBuffers} once it is written, for the next batch of any writer.
 * {@link #seal} fsyncs the {@code .log}, writes and fsyncs both indexes, and writes the marker last and atomically:
 * a segment without its marker is incomplete, and {@link SegmentRecovery} can repair it. Not thread-safe: one writer per partition, used by one thread.
 */
public final class SegmentWriter implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(SegmentWriter.class);

    private final SegmentFiles files;
    private final String topic;
    private final int partition;
    private final SegmentWriterOptions options;
    private final BatchCompression compression;
    private final FileChannel channel;
    private final IndexBuilder index;
    private final CRC32C logCrc = new CRC32C();

    private OpenBatch batch;
    private long logBytes;
    private long lastOffset;
    private long recordCount;
    private boolean closed;

    private SegmentWriter(SegmentFiles files, String topic, int partition, SegmentWriterOptions options,
                          FileChannel channel) {
        this.files = files;
        this.topic = topic;
        this.partition = partition;
        this.options = options;
        this.compression = options.compression();
        this.channel = channel;
        this.index = new IndexBuilder(files.baseOffset());
        this.lastOffset = files.baseOffset() - 1;
    }

    /**
     * Starts a new segment at {@code baseOffset} in {@code partitionDir} (created if absent). Fails if any file of
     * that segment already exists: a writer never appends to or overwrites a segment it did not start.
     */
    public static SegmentWriter create(Path partitionDir, String topic, int partition, long baseOffset,
                                       SegmentWriterOptions options) throws SegmentException {
        SegmentFiles files = SegmentFiles.of(partitionDir, baseOffset);
        try {
            Files.createDirectories(partitionDir);
            for (Path path : files.all()) {
                if (Files.exists(path)) {
                    throw new SegmentException("Cannot start segment " + files + " of " + topic + "-" + partition
                            + ": " + path + " already exists");
                }
            }
            FileChannel channel = FileChannel.open(files.log(), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            log.debug("Started segment {} of {}-{} ({}, batches of {} bytes, writer {})", files, topic, partition,
                    options.compressionType(), options.batchBytes(), options.writerId());
            return new SegmentWriter(files, topic, partition, options, channel);
        } catch (FileAlreadyExistsException e) {
            throw new SegmentException("Cannot start segment " + files + ": " + e.getFile() + " already exists", e);
        } catch (IOException e) {
            throw new SegmentException("Cannot start segment " + files + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds a record to the open batch, first writing the open batch out if the record would overflow it or needs
     * a batch of another timestamp type. Offsets must strictly increase and lie within
     * {@code [baseOffset, baseOffset + Integer.MAX_VALUE]} (see {@link #canAppend(long)}).
     * {@code NO_TIMESTAMP_TYPE} records (timestamp -1) are stored as {@code CREATE_TIME}, as Kafka does.
     */
    public void append(ArchivedRecord record) throws SegmentException {
        checkOpen();
        long offset = record.offset();
        if (offset <= lastOffset || !canAppend(offset)) {
            throw new SegmentException("Cannot append offset " + offset + " to segment " + files + " of " + topic
                    + "-" + partition + ": offsets must increase (last " + lastOffset + ") and stay within "
                    + Integer.MAX_VALUE + " of the base offset");
        }
        if (record.timestamp() < 0 && record.timestamp() != BatchHeader.NO_TIMESTAMP) {
            throw new SegmentException("Cannot append offset " + offset + " to segment " + files
                    + ": invalid negative timestamp " + record.timestamp());
        }
        TimestampType type = record.timestampType() == TimestampType.LOG_APPEND_TIME
                ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
        int recordBytes = record.sizeInBytes();
        if (batch != null && (!batch.accepts(type, record.timestamp())
                || batch.uncompressedBytes() + recordBytes > options.batchBytes())) {
            flushBatch();
        }
        if (batch == null) {
            if (isFull()) {
                throw new SegmentException("Segment " + files + " of " + topic + "-" + partition + " is full at "
                        + logBytes + " bytes: Kafka's index addresses batches below 2 GiB; seal it and roll");
            }
            batch = OpenBatch.start(type, offset, record.timestamp(), options.batchBytes(), recordBytes);
        }
        batch.append(record);
        lastOffset = offset;
        recordCount++;
    }

    /**
     * True when the {@code .log} has no room for another batch: Kafka's format addresses a segment's bytes with
     * 32-bit positions, so a new batch must end below 2 GiB. Roll before this happens ({@code segment.bytes}).
     */
    public boolean isFull() {
        return logBytes > (long) Integer.MAX_VALUE - options.batchBytes();
    }

    /** True when {@code offset} is close enough to the base offset to be indexed (Kafka's int32 relative offset). */
    public boolean canAppend(long offset) {
        long relative = offset - files.baseOffset();
        return relative >= 0 && relative <= Integer.MAX_VALUE;
    }

    /**
     * Closes the open batch, if any, and writes it to the {@code .log} (not fsynced). The batch's buffer is dropped:
     * afterwards the writer holds no buffer until the next append ({@link #retainedBytes()}).
     */
    public void flushBatch() throws SegmentException {
        checkOpen();
        if (batch == null) {
            return;
        }
        OpenBatch full = batch;
        batch = null;
        GrowableBytes scratch = CompressionBuffers.take();
        try {
            write(full, scratch);
        } finally {
            CompressionBuffers.give(scratch);
            full.release();
        }
    }

    private void write(OpenBatch full, GrowableBytes scratch) throws SegmentException {
        ByteBuffer bytes;
        try {
            bytes = full.build(compression, scratch);
        } catch (IOException e) {
            closed = true; // the batch's records are lost: the segment must be aborted, like after a failed write
            closeChannel();
            throw new SegmentException("Cannot compress a batch of segment " + files + " of " + topic + "-"
                    + partition + " with " + compression.codec().codecName() + ": " + e.getMessage(), e);
        }
        BatchHeader written = BatchHeader.parse(logBytes, bytes);
        if (logBytes + written.sizeInBytes() > Integer.MAX_VALUE) {
            closed = true; // a single record larger than what is left of 2 GiB; nothing was written
            closeChannel();
            throw new SegmentException("Batch at offsets " + written.baseOffset() + ".." + written.lastOffset()
                    + " (" + written.sizeInBytes() + " bytes) does not fit in segment " + files + " at " + logBytes
                    + " bytes: Kafka's format addresses a segment below 2 GiB");
        }
        logCrc.update(bytes.duplicate());
        try {
            DurableFiles.writeFully(channel, bytes);
        } catch (IOException e) {
            closed = true; // the .log may now end in a torn batch; only recovery may touch it again
            closeChannel();
            throw new SegmentException("Cannot write batch at offsets " + written.baseOffset() + ".."
                    + written.lastOffset() + " to " + files.log() + ": " + e.getMessage(), e);
        }
        index.add((int) logBytes, written);
        log.trace("Wrote batch {}..{} ({} records, {} bytes) at position {} of {}", written.baseOffset(),
                written.lastOffset(), written.recordCount(), written.sizeInBytes(), logBytes, files.log());
        logBytes += written.sizeInBytes();
    }

    /**
     * Makes the segment durable and complete: writes the open batch, fsyncs the {@code .log}, writes and fsyncs
     * the {@code .index} and {@code .timeindex}, then writes the marker atomically, last. Afterwards the writer is
     * closed. Returns the marker's contents.
     */
    public SegmentMetadata seal(long sealedAtMs) throws SegmentException {
        flushBatch();
        try {
            channel.force(true);
        } catch (IOException e) {
            closed = true;
            closeChannel();
            throw new SegmentException("Cannot fsync " + files.log() + ": " + e.getMessage(), e);
        }
        closed = true;
        closeChannel();
        FileInfo logInfo = new FileInfo(logBytes, String.format("%08x", logCrc.getValue()));
        return SegmentSealer.seal(files, topic, partition, options.compressionType(), options.writerId(),
                options.origin(), sealedAtMs, index, logInfo);
    }

    /**
     * Closes the writer and deletes every file of the segment, the temp marker of a failed seal included
     * ({@link SegmentFiles#deleteAll()}). Best effort: failures are logged.
     */
    public void abort() {
        closed = true;
        batch = null;
        closeChannel();
        try {
            files.deleteAll();
        } catch (IOException e) {
            log.warn("Cannot delete every file of aborted segment {}: {}", files, e.toString());
        }
        log.debug("Aborted segment {} of {}-{}", files, topic, partition);
    }

    /**
     * Releases the file handle without sealing: the records of the open batch are dropped, the files stay as
     * they are, unsealed (see {@link SegmentRecovery}).
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            batch = null;
            closeChannel();
        }
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("Cannot close {}: {}", files.log(), e.toString());
        }
    }

    private void checkOpen() throws SegmentException {
        if (closed) {
            throw new SegmentException("Segment writer for " + files + " of " + topic + "-" + partition
                    + " is closed");
        }
    }

    /**
     * Uncompressed bytes of the open batch (its 61-byte header and its records, Kafka's
     * {@code uncompressedBytesWritten}); 0 when no batch is open. For the heap this takes, see
     * {@link #retainedBytes()}.
     */
    public int bufferedBytes() {
        return batch == null ? 0 : batch.uncompressedBytes();
    }

    /**
     * Heap this writer holds, for memory accounting: the open batch's buffer (its records uncompressed, within
     * twice their size and within {@code batchBytes} unless one record is larger, and at least
     * {@value OpenBatch#INITIAL_BUFFER_BYTES} bytes), plus the index entries of the batches written (about 20 bytes
     * per batch). No codec state is held per writer. A writer with no open batch holds no buffer; its retained
     * bytes are its index entries.
     */
    public long retainedBytes() {
        return (batch == null ? 0 : batch.retainedBytes()) + index.retainedBytes();
    }

    /** Bytes in the {@code .log} so far plus the estimated size of the open batch: what to roll on. */
    public long sizeInBytes() {
        return logBytes + (batch == null ? 0 : batch.estimatedSizeInBytes(compression.codec()));
    }

    public SegmentFiles files() {
        return files;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long baseOffset() {
        return files.baseOffset();
    }

    /** Offset of the last appended record; {@code baseOffset() - 1} before the first. */
    public long lastOffset() {
        return lastOffset;
    }

    public long recordCount() {
        return recordCount;
    }

    public boolean isEmpty() {
        return recordCount == 0;
    }
}
