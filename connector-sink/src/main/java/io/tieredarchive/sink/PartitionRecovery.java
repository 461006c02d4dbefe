package io.tieredarchive.sink;

import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.LocalTier;

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
 *
 * <p>The worker's tiering service works in the same directory: once a segment is uploaded and verified it writes
 * {@code <base>.tiered}, and local retention may then delete the segment's files at any moment ({@code .log} first,
 * {@code .tiered} last). A tiered segment is therefore not size-checked, and a sealed segment whose files vanish
 * while it is being checked is skipped if it was tiered meanwhile or is gone altogether (only retention deletes
 * sealed segments, and only tiered ones): its records are in S3, whose end the task also asks for. A segment is
 * counted as sealed only when its marker was read; an unsealed one is never kept.
 */
final class PartitionRecovery {

    private static final Logger log = LoggerFactory.getLogger(PartitionRecovery.class);

    /** What the directory holds after recovery: its sealed segments' markers, in offset order. */
    record Result(long sealedEnd, int sealedSegments, List<SegmentFiles> discarded, List<SegmentMetadata> sealed) {

        /** Nothing in the directory (or no directory). */
        static final Result EMPTY = new Result(-1, 0, List.of(), List.of());
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
        List<SegmentMetadata> markers = new ArrayList<>();
        for (SegmentFiles files : segments) {
            SegmentMetadata meta;
            if (LocalTier.isTiered(files)) {
                meta = readTiered(files, tp, sealedEnd);
            } else if (!files.isSealed()) {
                // Tiered and deleted between the two checks (the marker goes before .tiered), or really unsealed.
                if (!LocalTier.isTiered(files) && Files.exists(files.log())) {
                    discard(files);
                    discarded.add(files);
                }
                continue;
            } else {
                meta = checkSealed(files, tp, sealedEnd);
            }
            if (meta != null && meta.recordCount() > 0) {
                sealedEnd = meta.lastOffset() + 1;
                sealed++;
                markers.add(meta);
            }
        }
        if (!discarded.isEmpty()) {
            log.info("{}: discarded {} unsealed segment(s) {}; their records will be archived again from offset {}",
                    tp, discarded.size(), discarded, sealedEnd < 0 ? "the committed position" : sealedEnd);
        }
        return new Result(sealedEnd, sealed, discarded, markers);
    }

    /** The marker of a tiered segment, or null when local retention deleted it meanwhile. */
    private static SegmentMetadata readTiered(SegmentFiles files, TopicPartition tp, long previousEnd)
            throws SegmentException {
        SegmentMetadata meta;
        try {
            meta = SegmentMetadata.read(files.marker());
        } catch (SegmentException e) {
            if (Files.exists(files.marker())) {
                throw e;
            }
            log.debug("{}: tiered segment {} is being deleted by local retention", tp, files);
            return null;
        }
        checkPlace(files, meta, tp, previousEnd);
        return meta;
    }

    /**
     * Checks a sealed segment; null when it vanished while being checked because the tier uploaded it and local
     * retention deleted it meanwhile.
     */
    private static SegmentMetadata checkSealed(SegmentFiles files, TopicPartition tp, long previousEnd)
            throws SegmentException {
        try {
            return check(files, tp, previousEnd);
        } catch (SegmentException e) {
            boolean gone = !Files.exists(files.log()) && !Files.exists(files.marker());
            if (LocalTier.isTiered(files) || gone) {
                log.debug("{}: segment {} was tiered and is being deleted by local retention", tp, files);
                return null;
            }
            throw e;
        }
    }

    private static SegmentMetadata check(SegmentFiles files, TopicPartition tp, long previousEnd)
            throws SegmentException {
        SegmentMetadata meta = SegmentMetadata.read(files.marker());
        checkPlace(files, meta, tp, previousEnd);
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

    /** The marker names this partition and base offset, and its offsets follow the previous sealed segment's. */
    private static void checkPlace(SegmentFiles files, SegmentMetadata meta, TopicPartition tp, long previousEnd)
            throws CorruptSegmentException {
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
