package io.tieredarchive.sink;

import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a partition's local directory back to what is durable when the partition is opened. Sealed segments
 * (marker present) stay; every unsealed segment is deleted: a crash, a kill or a failed write left it behind, none
 * of its offsets was ever committed, so Kafka delivers its records again. The sealed segments are checked to be a
 * valid sequence (their markers name this partition, offsets strictly increase from one segment to the next, each
 * {@code .log} has the size its marker records); anything else is a {@link CorruptSegmentException}, because
 * writing on would make the archive ambiguous.
 */
final class PartitionRecovery {

    private static final Logger log = LoggerFactory.getLogger(PartitionRecovery.class);

    /** What the directory holds after recovery. */
    record Result(long sealedEnd, int sealedSegments, List<SegmentFiles> discarded) {
    }

    private PartitionRecovery() {
    }

    /** Recovers {@code dir}; {@link Result#sealedEnd()} is the offset after the last sealed record, or -1. */
    static Result recover(Path dir, TopicPartition tp) throws SegmentException {
        List<SegmentFiles> segments;
        try {
            segments = SegmentFiles.list(dir);
        } catch (UncheckedIOException e) {
            throw new SegmentException("Cannot list segments of " + tp + " in " + dir + ": " + e.getMessage(), e);
        }
        long sealedEnd = -1;
        int sealed = 0;
        List<SegmentFiles> discarded = new ArrayList<>();
        for (SegmentFiles files : segments) {
            if (!files.isSealed()) {
                discard(files);
                discarded.add(files);
                continue;
            }
            SegmentMetadata meta = check(files, tp, sealedEnd);
            if (meta.recordCount() > 0) {
                sealedEnd = meta.lastOffset() + 1;
                sealed++;
            }
        }
        if (!discarded.isEmpty()) {
            log.info("{}: discarded {} unsealed segment(s) {}; their records will be archived again from offset {}",
                    tp, discarded.size(), discarded, sealedEnd < 0 ? "the committed position" : sealedEnd);
        }
        return new Result(sealedEnd, sealed, discarded);
    }

    private static SegmentMetadata check(SegmentFiles files, TopicPartition tp, long previousEnd)
            throws SegmentException {
        SegmentMetadata meta = SegmentMetadata.read(files.marker());
        String marker = files.marker().toString();
        if (!meta.topic().equals(tp.topic()) || meta.partition() != tp.partition()
                || meta.baseOffset() != files.baseOffset()) {
            throw new CorruptSegmentException(marker, -1, "the marker describes " + meta.topic() + "-"
                    + meta.partition() + " base offset " + meta.baseOffset() + ", not " + tp + " base offset "
                    + files.baseOffset());
        }
        if (meta.recordCount() > 0 && meta.baseOffset() < previousEnd) {
            throw new CorruptSegmentException(marker, -1, "offsets " + meta.baseOffset() + ".." + meta.lastOffset()
                    + " overlap the previous sealed segment, which ends at offset " + (previousEnd - 1)
                    + "; two writers archived the same records. Move one of the overlapping segments away");
        }
        long size;
        try {
            size = Files.size(files.log());
        } catch (IOException e) {
            throw new CorruptSegmentException(files.log().toString(), -1, "sealed, but its .log cannot be read: "
                    + e, e);
        }
        if (size != meta.log().size()) {
            throw new CorruptSegmentException(files.log().toString(), -1, "is " + size
                    + " bytes long but its marker records " + meta.log().size());
        }
        return meta;
    }

    /** Deletes every file of an unsealed segment, including a marker's temp file left by an interrupted seal. */
    private static void discard(SegmentFiles files) throws SegmentException {
        List<Path> paths = new ArrayList<>(files.all());
        paths.add(files.marker().resolveSibling(files.marker().getFileName() + ".tmp"));
        for (Path path : paths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw new SegmentException("Cannot delete " + path + " of unsealed segment " + files + ": "
                        + e.getMessage(), e);
            }
        }
    }
}
