package io.tieredarchive.dr;

import io.tieredarchive.segment.ArchivedRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The translation rule on logs built record by record: the archive of a partition, the target partition a replay
 * wrote (records, transaction markers, records of others), and the offset syncs the replay recorded. For every
 * committed offset the expected answer is computed from the logs themselves ({@link #expected}): the target offset
 * of the first replayed record whose original offset is at or after it, or the end of what was replayed.
 */
class PartitionTranslatorTest {

    /** An archive holding {@code offsets}. */
    static List<ArchivedRecord> archive(long... offsets) {
        List<ArchivedRecord> records = new ArrayList<>();
        for (long o : offsets) {
            Header[] headers = o % 3 == 0 ? new Header[] {new RecordHeader("h", ("v" + o).getBytes(
                    StandardCharsets.UTF_8))} : new Header[0];
            records.add(new ArchivedRecord(o, 1_700_000_000_000L + o, TimestampType.CREATE_TIME,
                    o % 50 == 0 ? null : ("k" + o).getBytes(StandardCharsets.UTF_8),
                    o % 7 == 0 ? null : ("value-" + o).getBytes(StandardCharsets.UTF_8), headers));
        }
        return records;
    }

    static long[] range(long from, long to) {
        return LongStream.range(from, to).toArray();
    }

    /** A target partition written the way a replay writes it; records what it wrote, for the expected answers. */
    static final class TargetLog implements PartitionLogs.Target {
        final List<ArchivedRecord> committed = new ArrayList<>();
        /** Original offset of each replayed record at its target offset. */
        final List<long[]> replayed = new ArrayList<>();
        final List<OffsetSync> syncs = new ArrayList<>();
        long next;

        /** Replays {@code records} in one transaction (a commit marker after them), with one sync or none. */
        TargetLog transaction(List<ArchivedRecord> records, boolean synced) {
            long first = next;
            for (ArchivedRecord r : records) {
                committed.add(new ArchivedRecord(next, r.timestamp(), TimestampType.CREATE_TIME, r.key(), r.value(),
                        r.headers()));
                replayed.add(new long[] {r.offset(), next});
                next++;
            }
            if (synced && !records.isEmpty()) {
                syncs.add(sync(records.get(0).offset(), records.get(records.size() - 1).offset(), first,
                        records.size()));
            }
            next++; // the commit marker
            return this;
        }

        /** A transaction that was aborted: its records take offsets, but no consumer reads them. */
        TargetLog aborted(int records) {
            next += records + 1;
            return this;
        }

        /** A record of another producer. */
        TargetLog foreign() {
            committed.add(new ArchivedRecord(next++, 1L, TimestampType.CREATE_TIME, "x".getBytes(), "y".getBytes()));
            return this;
        }

        @Override
        public long startOffset() {
            return 0;
        }

        @Override
        public long endOffset() {
            return next;
        }

        @Override
        public List<ArchivedRecord> read(long from, long toExclusive, int max) {
            return committed.stream().filter(r -> r.offset() >= from && r.offset() < toExclusive).limit(max).toList();
        }
    }

    static OffsetSync sync(long originalFirst, long originalLast, long targetFirst, long count) {
        return new OffsetSync("orders", "c.t", 0, "orders", "tid", 0, originalFirst, originalLast, targetFirst, count,
                0L, "test");
    }

    static PartitionLogs.Archived archived(List<ArchivedRecord> records) {
        return (from, to, max) -> records.stream().filter(r -> r.offset() >= from && (to < 0 || r.offset() < to))
                .limit(max).toList();
    }

    static List<ArchivedRecord> slice(List<ArchivedRecord> all, long from, long toExclusive) {
        return all.stream().filter(r -> r.offset() >= from && r.offset() < toExclusive).toList();
    }

    /** The rule, from the logs: the first replayed record at or after {@code original}, else the end of the replay. */
    static long expected(TargetLog target, long original) {
        for (long[] r : target.replayed) {
            if (r[0] >= original) {
                return r[1];
            }
        }
        return target.replayed.get(target.replayed.size() - 1)[1] + 1;
    }

    static PartitionTranslator translator(List<ArchivedRecord> archive, TargetLog target) {
        return new PartitionTranslator("orders-0 -> orders-0", target.syncs, archived(archive), target);
    }

    static void assertExactEverywhere(List<ArchivedRecord> archive, TargetLog target, long from, long to)
            throws Exception {
        PartitionTranslator t = translator(archive, target);
        for (long o = from; o <= to; o++) {
            Translation tr = t.translate(o);
            assertTrue(tr.isExact(), "offset " + o + ": " + tr);
            assertEquals(expected(target, o), tr.targetOffset(), "offset " + o);
        }
    }

    @Test
    void runsSeparatedByCommitMarkersTranslateByArithmetic() throws Exception {
        List<ArchivedRecord> archive = archive(range(0, 300));
        TargetLog target = new TargetLog();
        for (int i = 0; i < 300; i += 100) {
            target.transaction(slice(archive, i, i + 100), true);
        }
        assertExactEverywhere(archive, target, 0, 300);
        assertEquals(302, translator(archive, target).translate(300).targetOffset(), "the end of the replay: the "
                + "offset after its last record (the last commit marker's, which a consumer steps over)");
    }

    @Test
    void compactionGapsInsideAndBetweenRunsAreExact() throws Exception {
        long[] offsets = {0, 2, 3, 7, 8, 9, 15, 16, 40, 41, 42, 60, 99};
        List<ArchivedRecord> archive = archive(offsets);
        TargetLog target = new TargetLog().foreign().foreign(); // the target held two records already
        target.transaction(slice(archive, 0, 9), true).transaction(slice(archive, 9, 42), true)
                .transaction(slice(archive, 42, 100), true);
        assertExactEverywhere(archive, target, 0, 100);
    }

    @Test
    void recordsWithoutSyncsBetweenRunsAreRecoveredFromTheTarget() throws Exception {
        List<ArchivedRecord> archive = archive(range(0, 400));
        TargetLog target = new TargetLog().transaction(slice(archive, 0, 100), true)
                .transaction(slice(archive, 100, 150), false) // the task died before writing these syncs
                .transaction(slice(archive, 150, 200), false)
                .aborted(30)                                   // and its open transaction was aborted
                .transaction(slice(archive, 200, 400), true);
        assertExactEverywhere(archive, target, 0, 400);
        assertTrue(translator(archive, target).translate(120).note().contains("recovered"));
    }

    @Test
    void aTailWithoutSyncsIsRecoveredAndTheEndIsAfterIt() throws Exception {
        List<ArchivedRecord> archive = archive(range(0, 200));
        TargetLog target = new TargetLog().transaction(slice(archive, 0, 100), true)
                .transaction(slice(archive, 100, 200), false);
        assertExactEverywhere(archive, target, 0, 200);
    }

    @Test
    void aHeadWithoutSyncsIsRecoveredFromTheTarget() throws Exception {
        List<ArchivedRecord> archive = archive(range(0, 100));
        TargetLog target = new TargetLog().transaction(slice(archive, 0, 50), false)
                .transaction(slice(archive, 50, 100), true);
        assertExactEverywhere(archive, target, 0, 100);
    }

    @Test
    void aGroupBeforeOrPastAReplayWindowIsReportedNotGuessed() throws Exception {
        List<ArchivedRecord> archive = archive(range(0, 300));
        TargetLog target = new TargetLog().transaction(slice(archive, 100, 150), true)
                .transaction(slice(archive, 150, 200), true);
        PartitionTranslator t = translator(archive, target);
        assertEquals(Translation.Status.OUTSIDE_REPLAY, t.translate(50).status(), t.translate(50).note());
        assertEquals(Translation.Status.OUTSIDE_REPLAY, t.translate(99).status());
        assertEquals(0, t.translate(100).targetOffset());
        assertEquals(expected(target, 175), t.translate(175).targetOffset());
        Translation past = t.translate(200);
        assertEquals(Translation.Status.OUTSIDE_REPLAY, past.status());
        assertTrue(past.note().contains("replay reached original offset 199"), past.note());
        assertEquals(Translation.Status.OUTSIDE_REPLAY, t.translate(250).status());
    }

    @Test
    void aGroupPastTheArchivesEndGoesToTheEndOfTheReplay() throws Exception {
        List<ArchivedRecord> archive = archive(range(0, 100));
        TargetLog target = new TargetLog().transaction(slice(archive, 0, 100), true);
        Translation t = translator(archive, target).translate(130);
        assertEquals(100, t.targetOffset(), t.toString());
        assertTrue(t.note().contains("past the last archived record"), t.note());
    }

    @Test
    void recordsReplayedTwiceAreNotExactUpToTheirEndAndExactAfter() throws Exception {
        List<ArchivedRecord> archive = archive(range(0, 300));
        TargetLog target = new TargetLog().transaction(slice(archive, 0, 150), true)
                .transaction(slice(archive, 100, 300), true); // restarted at 100 without exactly-once
        PartitionTranslator t = translator(archive, target);
        for (long o : new long[] {0, 99, 100, 149}) {
            assertEquals(Translation.Status.NOT_EXACT, t.translate(o).status(), "offset " + o);
        }
        assertTrue(t.translate(120).note().contains("100..149"), t.translate(120).note());
        assertEquals(expected(target, 200), t.translate(200).targetOffset());
        assertEquals(351, t.translate(300).targetOffset());
    }

    @Test
    void aRunMissingARecordTheArchiveHoldsIsNotExact() throws Exception {
        List<ArchivedRecord> archive = archive(range(0, 10));
        TargetLog target = new TargetLog();
        List<ArchivedRecord> dropped = new ArrayList<>(archive);
        dropped.remove(4); // a transform dropped offset 4
        target.transaction(dropped, false);
        target.syncs.add(sync(0, 9, 0, 9));
        Translation t = translator(archive, target).translate(6);
        assertEquals(Translation.Status.NOT_EXACT, t.status());
        assertTrue(t.note().contains("left out"), t.note());
    }

    @Test
    void recordsWithoutSyncsThatTheTargetDoesNotHoldAreReported() throws Exception {
        List<ArchivedRecord> archive = archive(range(0, 300));
        TargetLog target = new TargetLog().transaction(slice(archive, 0, 100), true)
                .transaction(slice(archive, 200, 300), true); // 100..199 skipped (a bad segment)
        PartitionTranslator t = translator(archive, target);
        assertEquals(Translation.Status.OUTSIDE_REPLAY, t.translate(150).status(), t.translate(150).note());
        assertEquals(101, t.translate(200).targetOffset());
        assertEquals(50, t.translate(50).targetOffset());
    }

    @Test
    void contradictingSyncsAreNotExact() throws Exception {
        List<ArchivedRecord> archive = archive(range(0, 10));
        TargetLog target = new TargetLog().transaction(slice(archive, 0, 10), true);
        target.syncs.add(sync(0, 4, 3, 5));
        assertEquals(Translation.Status.NOT_EXACT, translator(archive, target).translate(2).status());
    }

    @Test
    void noSyncsAtAllIsNotExact() throws Exception {
        List<ArchivedRecord> archive = archive(range(0, 10));
        TargetLog target = new TargetLog().transaction(slice(archive, 0, 10), false);
        target.syncs.clear();
        Translation t = translator(archive, target).translate(2);
        assertEquals(Translation.Status.NOT_EXACT, t.status());
        assertTrue(t.note().contains("no offset sync"), t.note());
    }
}
