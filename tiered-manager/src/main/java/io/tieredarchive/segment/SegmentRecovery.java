package io.tieredarchive.segment;

import io.tieredarchive.segment.SegmentMetadata.FileInfo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Crash recovery of an unsealed segment (a {@code .log} without its marker), as Kafka's {@code LogSegment.recover}
 * does it: walk the batches from byte 0, checking each header (magic 2, a size that fits, ascending offsets) and
 * CRC; the first batch that fails, and everything after it, is a torn tail and is cut off. Then both indexes are
 * rebuilt from the batches kept, and the {@code .log} and indexes are fsynced. Nothing of an unsealed segment was
 * ever acknowledged, so cutting the tail loses nothing that a consumer rewind does not bring back.
 */
public final class SegmentRecovery {

    private static final Logger log = LoggerFactory.getLogger(SegmentRecovery.class);

    /**
     * What recovery kept.
     *
     * @param validBytes     bytes of whole, valid batches kept in the {@code .log}
     * @param truncatedBytes bytes cut off its tail
     * @param lastOffset     offset of the last record kept; base offset - 1 when none
     * @param recordCount    records kept
     */
    public record RecoveryResult(long validBytes, long truncatedBytes, long lastOffset, long recordCount) {
    }

    private SegmentRecovery() {
    }

    /** Recovers {@code files} in place: truncates a torn tail and rebuilds both indexes. Refuses a sealed one. */
    public static RecoveryResult recover(SegmentFiles files, String topic, int partition) throws SegmentException {
        return scanAndRepair(files, topic, partition).result;
    }

    /**
     * Recovers {@code files} and seals what it kept, so its records need not be consumed again. When no whole
     * batch is left the segment's files are deleted instead and the result is empty.
     */
    public static Optional<SegmentMetadata> recoverAndSeal(SegmentFiles files, String topic, int partition,
                                                           String writerId, long sealedAtMs) throws SegmentException {
        Repair repair = scanAndRepair(files, topic, partition);
        if (repair.result.recordCount() == 0) {
            try {
                files.deleteAll();
            } catch (IOException e) {
                throw new SegmentException("Cannot delete empty segment " + files + ": " + e, e);
            }
            log.info("Deleted segment {} of {}-{}: no whole batch to recover", files, topic, partition);
            return Optional.empty();
        }
        FileInfo logInfo;
        try {
            logInfo = FileInfo.of(files.log());
        } catch (IOException e) {
            throw new SegmentException("Cannot checksum " + files.log() + ": " + e.getMessage(), e);
        }
        return Optional.of(SegmentSealer.seal(files, topic, partition, repair.codec, writerId, SegmentOrigin.UNKNOWN,
                sealedAtMs, repair.index, logInfo));
    }

    private record Repair(RecoveryResult result, IndexBuilder index, String codec) {
    }

    private static Repair scanAndRepair(SegmentFiles files, String topic, int partition) throws SegmentException {
        if (files.isSealed()) {
            throw new SegmentException("Segment " + files + " of " + topic + "-" + partition
                    + " is sealed; recovery only repairs unsealed segments");
        }
        IndexBuilder index = new IndexBuilder(files.baseOffset());
        String codec = "none";
        long valid = 0;
        long size;
        String reason = null;
        try (FileByteSource source = new FileByteSource(files.log())) {
            size = source.size();
            LogScanner scanner = new LogScanner(source, size, SegmentReader.DEFAULT_READ_BUFFER_BYTES, null);
            while (valid < size) {
                if (valid > Integer.MAX_VALUE) {
                    reason = "a batch at position " + valid + " is beyond what Kafka's index can address";
                    break;
                }
                try {
                    BatchHeader header = scanner.header(valid, index.lastOffset());
                    scanner.batch(header); // checks its CRC
                    index.add((int) valid, header);
                    if (index.batchCount() == 1) {
                        codec = header.codec().codecName();
                    }
                    valid = header.nextPosition();
                } catch (CorruptSegmentException e) {
                    reason = e.getMessage();
                    break;
                }
            }
        } catch (IOException e) {
            throw new SegmentException("Cannot read " + files.log() + " for recovery: " + e.getMessage(), e);
        }
        truncateAndWriteIndexes(files, valid, index);
        RecoveryResult result = new RecoveryResult(valid, size - valid, index.lastOffset(), index.recordCount());
        if (reason != null) {
            log.warn("Recovered segment {} of {}-{}: kept {} bytes (offsets {}..{}, {} records), cut {} bytes: {}",
                    files, topic, partition, valid, files.baseOffset(), index.lastOffset(), index.recordCount(),
                    size - valid, reason);
        } else {
            log.info("Recovered segment {} of {}-{}: all {} bytes valid (offsets {}..{}, {} records)", files,
                    topic, partition, valid, files.baseOffset(), index.lastOffset(), index.recordCount());
        }
        return new Repair(result, index, codec);
    }

    private static void truncateAndWriteIndexes(SegmentFiles files, long valid, IndexBuilder index)
            throws SegmentException {
        try (FileChannel channel = FileChannel.open(files.log(), StandardOpenOption.WRITE)) {
            if (channel.size() > valid) {
                channel.truncate(valid);
            }
            channel.force(true);
            DurableFiles.write(files.offsetIndex(), index.offsetIndexBytes());
            DurableFiles.write(files.timeIndex(), index.timeIndexBytes());
            Files.deleteIfExists(files.markerTemp());
            DurableFiles.fsyncDirectory(files.dir());
        } catch (IOException e) {
            throw new SegmentException("Cannot repair " + files + " after recovery: " + e.getMessage(), e);
        }
    }
}
