package io.tieredarchive.source.replay;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.source.replay.ReplayRange.FromOffset;
import io.tieredarchive.source.replay.ReplayRange.FromTime;
import io.tieredarchive.source.replay.ReplayRange.Start;
import io.tieredarchive.tier.read.ArchiveCursor;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.remote.PartitionView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;

/**
 * The replay of one archived partition, through the tier's restore-on-demand {@link ArchiveReader}: an
 * {@link ArchiveCursor} from the start (or the stored offset) moves across segments and tiers; records past the
 * end of the range stop the partition. At the end of the archive the partition is done, or, with
 * {@code replay.follow}, waits an interval and asks the cursor again (which then looks for new segments).
 *
 * <p>The partition keeps its own view of the archive, taken when it starts: for the lag, for naming the segment
 * of a failure, and so that a range ending at a segment boundary stops before the cursor opens (and fetches) the
 * segment after it.
 *
 * <p>A corrupt or missing segment stops the partition with the error, or, when bad segments may be skipped, is
 * reported at ERROR (object, offsets lost) and the replay goes on after it. The reader only returns records of
 * batches that passed their checks, so skipping never produces wrong data. After any other failure the cursor is
 * dropped, and the next {@link #fill} opens a new one at the next offset.
 */
public final class PartitionReplay {

    private static final Logger log = LoggerFactory.getLogger(PartitionReplay.class);
    /** How often a partition at a hole looks again whether the missing segment arrived. */
    private static final long HOLE_RECHECK_MS = 1_000;

    /** Where a partition is. */
    public enum State { READING, WAITING, DONE }

    private final ArchivePartition archived;
    private final String targetTopic;
    private final Integer targetPartition;
    private final Map<String, Object> sourcePartition;
    private final ReplaySettings settings;
    private final ArchiveReader reader;
    private final ReplayMetrics metrics;

    private final Start start;
    /** The original offset of the next record to replay; -1 until known (a start by time, before its record). */
    private long nextOffset;
    private PartitionView view;
    /** Last offset of the segment (in {@link #view}) holding {@link #nextOffset}; past it, the end is checked. */
    private long segmentLast = Long.MIN_VALUE;
    private ArchiveCursor cursor;
    private State state = State.READING;
    private long wakeAtMs;
    /** When the partition first stopped at the current hole; -1 when it is not at one. */
    private long holeSinceMs = -1;
    private volatile long lag;

    /**
     * @param storedNextOffset the next offset from Connect's offset storage, null when the partition has none
     * @param preserve         replay each record into its archived partition, else let the producer choose
     */
    public PartitionReplay(ArchivePartition archived, String targetTopic, boolean preserve, Long storedNextOffset,
                           ReplaySettings settings, ArchiveReader reader, ReplayMetrics metrics) {
        this.archived = archived;
        this.targetTopic = targetTopic;
        this.targetPartition = preserve ? archived.partition() : null;
        this.sourcePartition = ReplayRecords.sourcePartition(archived);
        this.settings = settings;
        this.reader = reader;
        this.metrics = metrics;
        this.start = settings.range().start(storedNextOffset);
        this.nextOffset = start instanceof FromOffset o ? o.offset() : -1;
    }

    public ArchivePartition archived() {
        return archived;
    }

    public State state() {
        return state;
    }

    public long nextOffset() {
        return nextOffset;
    }

    /** When a waiting partition looks at the archive again. */
    public long wakeAtMs() {
        return wakeAtMs;
    }

    /** Records in range not yet replayed, as far as known (offsets, so an upper bound where they have gaps). */
    public long lag() {
        return lag;
    }

    /**
     * Adds this partition's next records to {@code batch} until it is full, the partition is done, or it must wait
     * for newly archived segments.
     *
     * @throws SegmentException what {@link ReplayFailures} must judge; the partition stays where it was
     */
    public void fill(ReplayBatch batch, long nowMs) throws SegmentException {
        if (state == State.DONE || (state == State.WAITING && nowMs < wakeAtMs)) {
            return;
        }
        state = State.READING;
        try {
            if (view == null) {
                view = reader.view(archived);
            }
            if (cursor == null) { // from the view held already: no second manifest GET and LIST
                cursor = nextOffset >= 0 ? reader.fromOffset(view, nextOffset)
                        : reader.fromTimestamp(view, ((FromTime) start).timestamp());
            }
            while (!batch.isFull() && state == State.READING) {
                if (endsBeforeNextSegment()) {
                    done("the end of the range at the end of a segment, offset " + nextOffset);
                    return;
                }
                ArchivedRecord r = cursor.next();
                if (r == null && cursor.hole().isPresent()) {
                    atHole(cursor.hole().get(), nowMs);
                } else if (r == null) {
                    atEndOfArchive(nowMs);
                } else if (beforeStartTime(r)) {
                    continue;
                } else if (settings.range().isPastEnd(r)) {
                    done("the end of the range at offset " + r.offset());
                } else {
                    batch.add(ReplayRecords.toSourceRecord(sourcePartition, r, targetTopic, targetPartition),
                            r.sizeInBytes());
                    nextOffset = r.offset() + 1;
                    leftHole();
                }
            }
        } catch (SegmentException e) {
            failed(e);
        } finally {
            updateLag();
        }
    }

    /**
     * True for a record before the first one at or after the start time. The reader starts at that record, or,
     * when the archive holds none yet (following), at its end; from there on, records still older than the start
     * time are not the start.
     */
    private boolean beforeStartTime(ArchivedRecord r) {
        return nextOffset < 0 && start instanceof FromTime t && r.timestamp() < t.timestamp();
    }

    /**
     * True when the records at {@link #nextOffset} are the first of a segment that lies wholly past the end of the
     * range: the cursor would open it (and fetch from it) only to stop at its first record.
     */
    private boolean endsBeforeNextSegment() throws SegmentException {
        if (!settings.range().hasEnd() || nextOffset < 0 || nextOffset <= segmentLast) {
            return false;
        }
        Optional<SegmentMetadata> next = view.segmentFrom(nextOffset);
        if (next.isEmpty()) {
            segmentLast = Long.MAX_VALUE; // beyond the view: the records themselves tell
            return false;
        }
        segmentLast = next.get().lastOffset();
        return settings.range().isPastEnd(nextOffset, next.get());
    }

    /**
     * The cursor stopped before a hole: offsets no segment in the store covers yet, with segments after them (a
     * writer still uploading, with {@code commit.mode=local}). Waits, saying so, for at most
     * {@code replay.hole.timeout.ms}; then fails naming it (or, when bad segments may be skipped, skips it at ERROR).
     */
    private void atHole(PartitionView.Hole hole, long nowMs) throws SegmentException {
        if (holeSinceMs < 0) {
            holeSinceMs = nowMs;
            metrics.holeWaiting(1);
            log.warn("Replay of {} is waiting at a hole in the archive: {} are in no segment in {} yet, but later "
                    + "offsets are (a writer may still be uploading them); waiting up to {} ms", archived, hole,
                    reader.location(), settings.holeTimeoutMs());
        }
        if (nowMs - holeSinceMs < settings.holeTimeoutMs()) {
            state = State.WAITING;
            wakeAtMs = nowMs + Math.min(settings.followIntervalMs(), HOLE_RECHECK_MS);
            return;
        }
        leftHole();
        String message = "Offsets " + hole.from() + ".." + (hole.to() - 1) + " of " + archived + " are in no "
                + "segment in " + reader.location() + " after " + settings.holeTimeoutMs() + " ms of waiting, while "
                + "later offsets are: a segment is missing";
        if (!settings.skipBadSegments()) {
            throw new io.tieredarchive.segment.CorruptSegmentException(reader.location() + archived, hole.from(),
                    message + ". Restore it, or set errors.tolerance=all to replay past it");
        }
        log.error("{}; skipping them (errors.tolerance=all)", message);
        metrics.segmentSkipped();
        closeCursor();
        nextOffset = hole.to();
        cursor = reader.fromOffset(view, nextOffset);
    }

    private void leftHole() {
        if (holeSinceMs >= 0) {
            holeSinceMs = -1;
            metrics.holeWaiting(-1);
        }
    }

    private void atEndOfArchive(long nowMs) {
        if (settings.follow()) {
            state = State.WAITING;
            wakeAtMs = nowMs + settings.followIntervalMs();
        } else {
            done("the end of the archive");
        }
    }

    private void done(String where) {
        closeCursor();
        state = State.DONE;
        log.info("Replay of {} into {} reached {}; next offset {}", archived, targetTopic, where, nextOffset);
    }

    private void failed(SegmentException e) throws SegmentException {
        long at = cursor == null ? nextOffset : cursor.nextOffset();
        closeCursor();
        if (!settings.skipBadSegments() || ReplayFailures.kind(e) != ReplayFailures.Kind.BAD_SEGMENT) {
            throw e;
        }
        view = reader.view(archived); // it may be newer than ours
        segmentLast = Long.MIN_VALUE;
        Optional<SegmentMetadata> bad = view.segmentFrom(Math.max(at, 0));
        if (bad.isEmpty()) {
            throw e; // cannot tell which records to skip: never guess
        }
        long firstLost = Math.max(nextOffset, bad.get().baseOffset());
        log.error("Skipping the rest of a bad segment of {} (errors.tolerance=all): offsets {} to {} are not "
                + "replayed. {}", archived, firstLost, bad.get().lastOffset(), e.getMessage());
        metrics.segmentSkipped();
        nextOffset = Math.max(nextOffset, bad.get().nextOffset());
    }

    /** Where the partition is, for messages: topic-partition and the next offset (or the start time). */
    public String position() {
        return archived + (nextOffset >= 0 ? " at offset " + nextOffset
                : " from time " + ((FromTime) start).timestamp());
    }

    private void updateLag() {
        if (state == State.DONE || view == null) {
            lag = 0;
            return;
        }
        long end = view.endOffset();
        Long endOffset = settings.range().endOffset();
        if (endOffset != null) {
            end = Math.min(end, endOffset);
        }
        long from = nextOffset >= 0 ? nextOffset : view.startOffset();
        lag = Math.max(0, end - from);
    }

    private void closeCursor() {
        if (cursor != null) {
            cursor.close();
            cursor = null;
        }
    }

    /** Releases the segment being read. */
    public void close() {
        closeCursor();
    }
}
