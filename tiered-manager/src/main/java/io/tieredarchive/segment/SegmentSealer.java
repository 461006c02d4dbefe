package io.tieredarchive.segment;

import io.tieredarchive.segment.SegmentMetadata.FileInfo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The last steps of sealing, shared by the writer and by recovery. The caller has already written and fsynced the
 * {@code .log}. This writes and fsyncs the {@code .index} and {@code .timeindex}, then the marker, atomically and
 * last (temp file, fsync, rename, fsync directory): once the marker is there, all three files are durable.
 */
final class SegmentSealer {

    private static final Logger log = LoggerFactory.getLogger(SegmentSealer.class);

    private SegmentSealer() {
    }

    /** Writes the indexes from {@code index}, then the marker, and returns the marker's contents. */
    static SegmentMetadata seal(SegmentFiles files, String topic, int partition, String codec, String writerId,
                                SegmentOrigin origin, long sealedAtMs, IndexBuilder index, FileInfo logInfo)
            throws SegmentException {
        byte[] offsetIndex = index.offsetIndexBytes();
        byte[] timeIndex = index.timeIndexBytes();
        SegmentMetadata meta = new SegmentMetadata(SegmentMetadata.FORMAT_VERSION, topic, partition,
                files.baseOffset(), index.lastOffset(), index.recordCount(), index.firstTimestamp(),
                index.maxTimestamp(), codec, writerId, sealedAtMs, logInfo, FileInfo.of(offsetIndex),
                FileInfo.of(timeIndex), origin.clusterId(), origin.topicId(), origin.startOffset(),
                origin.destination());
        try {
            DurableFiles.write(files.offsetIndex(), offsetIndex);
            DurableFiles.write(files.timeIndex(), timeIndex);
            // The directory entries of .log and both indexes must be durable before the marker can be.
            DurableFiles.fsyncDirectory(files.dir());
            DurableFiles.writeAtomically(files.marker(), files.markerTemp(), meta.toBytes());
        } catch (IOException e) {
            throw new SegmentException("Cannot seal segment " + files + ": " + e.getMessage(), e);
        }
        // DEBUG: the sink logs each seal at INFO, with its compression ratio.
        log.debug("Sealed segment {} of {}-{}: offsets {}..{}, {} records, {} batches, {} bytes ({})",
                files, topic, partition, files.baseOffset(), meta.lastOffset(), meta.recordCount(),
                index.batchCount(), logInfo.size(), codec);
        return meta;
    }
}
