package io.tieredarchive.dr;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Translates committed offsets of one archived partition into offsets of the target partition it was replayed into,
 * exactly: offset {@code O} becomes the target offset of the first replayed record whose original offset is
 * {@code >= O}, or the end of what was replayed when there is none.
 *
 * <p>It works from the replay's offset syncs ({@link OffsetSync}: runs of consecutive records) and, only where they
 * do not say enough, from the archive and the target themselves:
 * <ul>
 *   <li>{@code O} inside a run: arithmetic when the run has no offset gap; otherwise the archive's own offsets of
 *       the run (compaction gaps) give the record's rank in it, and must count exactly the run's records.</li>
 *   <li>{@code O} between runs, or after the last one: the first archived record at or after {@code O} tells. If it
 *       starts the next run, that run's first target offset is the answer (offsets skipped by compaction, and
 *       target offsets taken by transaction markers, are nobody's records). If it has no sync (a task that died
 *       between committing records and writing their syncs), the target's own committed records just before the
 *       next run (or after the last) are matched with the archived ones record by record (key, value, headers,
 *       timestamp); found, it is exact; not found, it was not replayed, and that is reported.</li>
 *   <li>Runs that overlap in original offsets (a replay without exactly-once that restarted wrote records twice):
 *       an offset at or before the end of the overlap is not exact, since a consumer would read records twice.</li>
 * </ul>
 * Each distinct offset is translated once (many groups commit the same offsets). Not thread-safe.
 */
public final class PartitionTranslator {

    /** At most this many records without a sync are matched against the target to recover them. */
    static final int MAX_RECOVERY_RECORDS = 100_000;

    private final String what;
    private final List<OffsetSync> runs;
    private final PartitionLogs.Archived archive;
    private final PartitionLogs.Target target;
    /** Indices into {@link #runs} of the runs past the duplicated original offsets; ascending in both orders. */
    private final List<Integer> effective = new ArrayList<>();
    private final Map<Long, Translation> done = new HashMap<>();
    private long duplicatedFrom = -1;
    private long duplicatedThrough = -1;
    private String contradiction;
    private int cachedRun = -1;
    private long[] cachedOffsets;
    private Tail tail;

    /**
     * @param what    the archived partition and its target, for messages ({@code orders-0 -> orders.restored-0})
     * @param runs    the offset syncs of this archived partition into this target partition, any order
     */
    public PartitionTranslator(String what, List<OffsetSync> runs, PartitionLogs.Archived archive,
                               PartitionLogs.Target target) {
        this.what = what;
        this.runs = new ArrayList<>(runs);
        this.runs.sort(Comparator.comparingLong(OffsetSync::targetFirst));
        this.archive = archive;
        this.target = target;
        examineRuns();
    }

    /** Finds overlaps in the target (contradicting syncs) and in original offsets (records replayed twice). */
    private void examineRuns() {
        long maxOriginal = -1;
        for (int i = 0; i < runs.size(); i++) {
            OffsetSync r = runs.get(i);
            if (i > 0 && r.targetFirst() <= runs.get(i - 1).targetLast()) {
                contradiction = "offset syncs contradict each other: " + runs.get(i - 1) + " and " + r;
                return;
            }
            if (r.originalFirst() <= maxOriginal) {
                duplicatedFrom = duplicatedFrom < 0 ? r.originalFirst() : Math.min(duplicatedFrom, r.originalFirst());
                duplicatedThrough = Math.max(duplicatedThrough, Math.min(maxOriginal, r.originalLast()));
            }
            maxOriginal = Math.max(maxOriginal, r.originalLast());
        }
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).originalLast() > duplicatedThrough) {
                effective.add(i);
            }
        }
    }

    /** The translation of the committed offset {@code original} (the next offset the group reads). */
    public Translation translate(long original) throws SegmentException {
        Translation t = done.get(original);
        if (t == null) {
            t = compute(original);
            done.put(original, t);
        }
        return t;
    }

    private Translation compute(long original) throws SegmentException {
        if (contradiction != null) {
            return Translation.notExact(what + ": " + contradiction);
        }
        if (runs.isEmpty()) {
            return Translation.notExact(what + ": no offset sync; the partition was not replayed into this target, "
                    + "or its replay wrote no syncs (replay.offset.syncs.topic)");
        }
        if (original <= duplicatedThrough) {
            return Translation.notExact(what + ": original offsets " + duplicatedFrom + ".." + duplicatedThrough
                    + " were replayed more than once (a replay without exactly-once that restarted); a consumer at "
                    + original + " would read records twice");
        }
        int idx = firstEffectiveEndingAtOrAfter(original);
        if (idx == effective.size()) {
            return afterLastRun(original);
        }
        int run = effective.get(idx);
        OffsetSync r = runs.get(run);
        if (original > r.originalFirst()) {
            return insideRun(run, original);
        }
        return beforeRun(run, original);
    }

    private int firstEffectiveEndingAtOrAfter(long original) {
        int lo = 0;
        int hi = effective.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (runs.get(effective.get(mid)).originalLast() < original) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private Translation insideRun(int run, long original) throws SegmentException {
        OffsetSync r = runs.get(run);
        if (r.dense()) {
            return Translation.exact(r.targetFirst() + (original - r.originalFirst()), "");
        }
        long[] offsets = runOffsets(run);
        if (offsets.length != r.count() || offsets[0] != r.originalFirst()
                || offsets[offsets.length - 1] != r.originalLast()) {
            return Translation.notExact(what + ": the replay wrote " + r.count() + " records of original offsets "
                    + r.originalFirst() + ".." + r.originalLast() + " in a row, but the archive holds "
                    + offsets.length + " there: records were left out (a transform that drops records, or a "
                    + "skipped segment)");
        }
        int lo = 0;
        int hi = offsets.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (offsets[mid] < original) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return Translation.exact(r.targetFirst() + lo, "");
    }

    /** The archived offsets of a run with gaps; one run is kept, since offsets are translated in order. */
    private long[] runOffsets(int run) throws SegmentException {
        if (cachedRun != run) {
            OffsetSync r = runs.get(run);
            List<ArchivedRecord> records = archive.read(r.originalFirst(), r.originalLast() + 1,
                    (int) Math.min(Integer.MAX_VALUE - 1, r.count() + 1));
            cachedOffsets = records.stream().mapToLong(ArchivedRecord::offset).toArray();
            cachedRun = run;
        }
        return cachedOffsets;
    }

    /** {@code original} is at or before the first original offset of run {@code run}, after the run before it. */
    private Translation beforeRun(int run, long original) throws SegmentException {
        OffsetSync r = runs.get(run);
        if (original == r.originalFirst()) {
            return Translation.exact(r.targetFirst(), ""); // the run's first record: nothing before it to look for
        }
        List<ArchivedRecord> first = archive.read(original, r.originalFirst() + 1, 1);
        if (first.isEmpty()) {
            return Translation.notExact(what + ": the replay wrote original offset " + r.originalFirst()
                    + ", which the archive does not hold");
        }
        long firstArchived = first.get(0).offset();
        if (firstArchived == r.originalFirst()) {
            return Translation.exact(r.targetFirst(), "");
        }
        // Archived records [firstArchived, r.originalFirst) have no sync: look for them just before the run.
        long low = run > 0 ? runs.get(run - 1).targetLast() + 1 : target.startOffset();
        List<ArchivedRecord> unsynced = archive.read(firstArchived, r.originalFirst(), MAX_RECOVERY_RECORDS + 1);
        if (unsynced.size() > MAX_RECOVERY_RECORDS) {
            return Translation.outside(what + ": more than " + MAX_RECOVERY_RECORDS + " archived records from "
                    + "original offset " + firstArchived + " to " + (r.originalFirst() - 1) + " have no offset "
                    + "sync; the replay wrote this partition from original offset " + r.originalFirst()
                    + " on as far as the syncs tell");
        }
        int m = unsynced.size();
        long from = Math.max(low, r.targetFirst() - (4L * m + 10_000));
        List<ArchivedRecord> before = from < r.targetFirst() ? target.read(from, r.targetFirst(), Integer.MAX_VALUE)
                : List.of();
        int matched = 0;
        while (matched < m && matched < before.size() && PartitionLogs.sameRecord(unsynced.get(m - 1 - matched),
                before.get(before.size() - 1 - matched))) {
            matched++;
        }
        if (matched == m) {
            return Translation.exact(before.get(before.size() - m).offset(), "recovered from the target's records: "
                    + "original offsets " + firstArchived + ".." + (r.originalFirst() - 1) + " had no offset sync");
        }
        long replayedFrom = matched == 0 ? r.originalFirst() : unsynced.get(m - matched).offset();
        return Translation.outside(what + ": original offset " + firstArchived + " (the first archived at or "
                + "after " + original + ") was not replayed; the replay wrote this partition from original offset "
                + replayedFrom + (run > 0 ? " after a gap" : "") + " on (a window start, or records it skipped)");
    }

    /**
     * {@code original} is past the last original offset of every run. Exact when the replay reached the end of the
     * archive (then the end of what was replayed is the answer, also for a group past the archive's end), or when
     * the first archived record at or after it is among the replayed records without a sync; otherwise the replay
     * has not reached the group's position, and that is reported: were the rest replayed later, a consumer placed
     * at the end now would read again what the group had read.
     */
    private Translation afterLastRun(long original) throws SegmentException {
        if (runs.get(runs.size() - 1).originalLast() <= duplicatedThrough) {
            return Translation.notExact(what + ": the replay's last records repeat earlier ones (original offsets "
                    + duplicatedFrom + ".." + duplicatedThrough + ")");
        }
        Tail t = tail();
        String recoveredNote = t.recovered == 0 ? "" : "the last " + t.recovered + " replayed records had no offset "
                + "sync and were recovered from the target's records";
        if (original <= t.lastOriginal) {
            long firstArchived = archive.read(original, t.lastOriginal + 1, 1).get(0).offset();
            return Translation.exact(t.targetOf.get(firstArchived), recoveredNote);
        }
        List<ArchivedRecord> notReplayed = archive.read(t.lastOriginal + 1, -1, 1);
        if (notReplayed.isEmpty()) {
            String past = original > t.lastOriginal + 1 ? "the group is past the last archived record (original "
                    + "offset " + t.lastOriginal + ")" : "";
            return Translation.exact(t.endTarget, past.isEmpty() || recoveredNote.isEmpty() ? past + recoveredNote
                    : past + "; " + recoveredNote);
        }
        return Translation.outside(what + ": the replay reached original offset " + t.lastOriginal + " and archived "
                + "records from original offset " + notReplayed.get(0).offset() + " on were not replayed; the group,"
                + " at " + original + ", is past the end of the replay (a window end, or a replay not finished)");
    }

    /** The replayed records after the last run without a sync, matched with the archive once. */
    private Tail tail() throws SegmentException {
        if (tail == null) {
            OffsetSync last = runs.get(runs.size() - 1);
            List<ArchivedRecord> after = target.read(last.targetLast() + 1, target.endOffset(), MAX_RECOVERY_RECORDS);
            List<ArchivedRecord> archived = after.isEmpty() ? List.of()
                    : archive.read(last.originalLast() + 1, -1, after.size());
            Tail t = new Tail();
            t.endTarget = last.targetLast() + 1;
            t.lastOriginal = last.originalLast();
            for (int i = 0; i < after.size() && i < archived.size()
                    && PartitionLogs.sameRecord(archived.get(i), after.get(i)); i++) {
                t.targetOf.put(archived.get(i).offset(), after.get(i).offset());
                t.endTarget = after.get(i).offset() + 1;
                t.lastOriginal = archived.get(i).offset();
                t.recovered++;
            }
            tail = t;
        }
        return tail;
    }

    private static final class Tail {
        final Map<Long, Long> targetOf = new HashMap<>();
        long endTarget;
        long lastOriginal;
        int recovered;
    }
}
