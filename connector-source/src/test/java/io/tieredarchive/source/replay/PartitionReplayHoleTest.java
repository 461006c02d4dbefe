package io.tieredarchive.source.replay;

import io.tieredarchive.testing.Closing;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentOrigin;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.source.testing.TestArchives;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;

import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replay never steps over a hole: offsets no segment in the store covers yet, between segments that are there
 * (with {@code commit.mode=local}, the writer that sealed them may still be uploading after a rebalance). The
 * segments here record where each is complete from, as the sink writes them: [0, 99], then [200, 299] complete
 * only from 200, so 100..199 are a hole until their segment arrives. A compacted gap is not a hole: a segment
 * complete from before its first record.
 */
class PartitionReplayHoleTest {

    private static final Incarnation INCARNATION = new Incarnation("c", "t");
    private static final ArchivePartition TP = new ArchivePartition("orders", INCARNATION, 0);

    @TempDir
    Path tempDir;
    private RemoteSegmentStore store;
    private ArchiveReader reader;
    private TestReplayMetrics metrics;
    private long now = 1_700_000_000_000L;

    @BeforeEach
    void setUp() throws Exception {
        store = new RemoteSegmentStore(new FileSystemStorageBackend(tempDir.resolve("bucket")), "arch", () -> now);
        archive(0, 100, 0);
        archive(200, 300, 200); // complete from 200: 100..199 are in no segment yet
        reader = new ArchiveReader(store, null, null, new ArchiveReader.Options(16 * 1024, 2, 2, 10));
        metrics = new TestReplayMetrics();
    }

    @AfterEach
    void tearDown() throws Exception {
        Closing.closeAll(reader, store, metrics);
    }

    private void archive(long from, long to, long completeFrom) throws SegmentException {
        List<ArchivedRecord> records = new ArrayList<>();
        for (long o = from; o < to; o++) {
            records.add(new ArchivedRecord(o, 1_000 + o, TimestampType.CREATE_TIME, null,
                    ("v" + o).getBytes(StandardCharsets.UTF_8), new org.apache.kafka.common.header.Header[0]));
        }
        SegmentWriterOptions options = new SegmentWriterOptions("none", null, 8 * 1024, "w-" + from,
                new SegmentOrigin(INCARNATION.clusterId(), INCARNATION.topicId(), completeFrom, null));
        TestArchives.archive(store, tempDir.resolve("local-" + from), "orders", 0, records, 1_000, options);
    }

    private PartitionReplay replay(boolean skip, long holeTimeoutMs) {
        return new PartitionReplay(TP, "orders.restored", true, null,
                new ReplaySettings(ReplayRange.ALL, false, 10, skip, holeTimeoutMs), reader, metrics.replay);
    }

    private List<Long> fill(PartitionReplay p) throws SegmentException {
        List<Long> offsets = new ArrayList<>();
        ReplayBatch batch = new ReplayBatch(10_000, 1 << 24);
        p.fill(batch, now);
        batch.records().forEach(r -> offsets.add((Long) r.sourceOffset().get(ReplayRecords.OFFSET) - 1));
        return offsets;
    }

    @Test
    void waitsAtTheHoleAndGoesOnWhenTheMissingSegmentArrives() throws Exception {
        PartitionReplay p = replay(false, 60_000);
        assertEquals(TestArchives.offsets(0, 100), fill(p));
        assertEquals(PartitionReplay.State.WAITING, p.state(), "not done: the hole may still fill");
        assertEquals(100, p.nextOffset());
        now += 1_000;
        assertEquals(List.of(), fill(p), "still waiting");
        assertEquals(PartitionReplay.State.WAITING, p.state());

        archive(100, 200, 100); // the old owner's upload arrives
        Thread.sleep(20); // the reader looks for new segments every 10 ms here
        now += 1_000;
        List<Long> rest = new ArrayList<>(fill(p));
        while (p.state() != PartitionReplay.State.DONE) {
            now += 1_000;
            Thread.sleep(20);
            rest.addAll(fill(p));
        }
        assertEquals(TestArchives.offsets(100, 300), rest);
    }

    @Test
    void aHoleThatStaysFailsTheReplayNamingItAfterTheTimeout() throws Exception {
        PartitionReplay p = replay(false, 5_000);
        assertEquals(TestArchives.offsets(0, 100), fill(p));
        now += 6_000;
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> fill(p));
        assertTrue(e.getMessage().contains("Offsets 100..199") && e.getMessage().contains("a segment is missing"),
                e.getMessage());
    }

    @Test
    void withErrorsToleratedAHoleThatStaysIsSkippedAtErrorAndTheReplayGoesOn() throws Exception {
        PartitionReplay p = replay(true, 5_000);
        assertEquals(TestArchives.offsets(0, 100), fill(p));
        now += 6_000;
        List<Long> rest = new ArrayList<>(fill(p));
        while (p.state() != PartitionReplay.State.DONE) {
            rest.addAll(fill(p));
        }
        assertEquals(TestArchives.offsets(200, 300), rest);
    }

    @Test
    void aCompactedGapIsNotAHole() throws Exception {
        archive(320, 330, 300); // complete from 300: 300..319 do not exist
        PartitionReplay p = replay(false, 60_000);
        List<Long> read = new ArrayList<>();
        archive(100, 200, 100);
        while (p.state() != PartitionReplay.State.DONE) {
            read.addAll(fill(p));
        }
        List<Long> expected = new ArrayList<>(TestArchives.offsets(0, 300));
        expected.addAll(TestArchives.offsets(320, 330));
        assertEquals(expected, read);
    }
}
