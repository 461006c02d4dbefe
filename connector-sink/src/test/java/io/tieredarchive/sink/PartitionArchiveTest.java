package io.tieredarchive.sink;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentOrigin;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.sink.PartitionArchive.Admission;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.Incarnation;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One partition's archive on a real directory: which delivered offsets it takes, skips or rewinds for, how its
 * segments roll and seal (read back with {@code SegmentReader}), what an abort leaves, and what it lets the task
 * commit.
 */
class PartitionArchiveTest {

    private static final TopicPartition TP = new TopicPartition("orders", 3);
    private static final Incarnation INCARNATION = Incarnation.of("cluster-a", "topic-id-1");
    private static final ArchivePartition ARCHIVE = new ArchivePartition(TP.topic(), INCARNATION, TP.partition());
    private static final String DESTINATION = "s3://archive/prod";

    @TempDir
    Path localDir;

    private final List<SegmentMetadata> sealed = new ArrayList<>();

    private PartitionArchive open(long archivedEnd, long floor, int segmentBytes, long segmentMs) {
        SegmentWriterOptions options = new SegmentWriterOptions("none", null, 1024, "writer-1",
                new SegmentOrigin(INCARNATION.clusterId(), INCARNATION.topicId(), -1, DESTINATION));
        return new PartitionArchive(TP, ARCHIVE, PartitionArchive.directory(localDir, TP), archivedEnd, floor,
                options, segmentBytes, segmentMs, (p, files, meta, bytes) -> sealed.add(meta), dir -> { });
    }

    private static ArchivedRecord record(long offset) {
        return new ArchivedRecord(offset, 1_000 + offset, TimestampType.CREATE_TIME,
                ("k" + offset).getBytes(StandardCharsets.UTF_8), ("value-" + offset).getBytes(StandardCharsets.UTF_8));
    }

    /** Admits and appends each offset the archive lacks, as the task does with a delivered batch. */
    private static void deliver(PartitionArchive archive, long from, long to, long nowMs) throws Exception {
        for (long offset = from; offset < to; offset++) {
            if (archive.admit(offset, false) == Admission.APPEND) {
                archive.append(record(offset), nowMs);
            }
        }
    }

    private Path dir() {
        return PartitionArchive.directory(localDir, TP);
    }

    @Test
    void theDirectoryIsTopicDashPartitionUnderLocalDir() {
        assertEquals(localDir.resolve("orders-3"), dir());
    }

    @Test
    void recordsAreSealedIntoSegmentsThatRollAtSegmentBytesAndFollowEachOther() throws Exception {
        PartitionArchive archive = open(-1, -1, 1_000, 60_000);
        deliver(archive, 0, 100, 0);
        archive.seal(0);

        assertEquals(LongStream.range(0, 100).boxed().toList(), ArchiveContents.offsets(dir()));
        assertEquals(record(42), ArchiveContents.read(dir()).get(42), "a record is read back as it was written");
        assertTrue(sealed.size() > 1, "1,000-byte segments roll: " + sealed.size() + " segment(s)");
        assertEquals(0, sealed.get(0).baseOffset());
        for (int i = 1; i < sealed.size(); i++) {
            assertEquals(sealed.get(i - 1).nextOffset(), sealed.get(i).baseOffset(), "segment " + i
                    + " starts where the previous one ended");
        }
        for (SegmentMetadata meta : sealed) {
            assertTrue(meta.log().size() <= 1_000, "a segment stays within segment.bytes: " + meta.log().size());
            assertEquals(INCARNATION.clusterId(), meta.clusterId(), "the marker records the incarnation");
            assertEquals(INCARNATION.topicId(), meta.topicId());
            assertEquals(DESTINATION, meta.destination(), "the marker records where it is archived to");
        }
        assertEquals(ArchiveContents.sealed(dir()).size(), sealed.size(), "each sealed segment was reported once");
        assertFalse(archive.hasActiveSegment());
        assertEquals(100, archive.nextOffset());
    }

    @Test
    void recordsBelowTheArchivedEndAreSkippedAndTheArchiveGoesOnFromIt() throws Exception {
        PartitionArchive archive = open(50, -1, 1 << 20, 60_000);
        assertEquals(-1, archive.committable(-1), "nothing may be committed before the consumer's position is known");
        assertEquals(Admission.SKIP, archive.admit(40, false), "the consumer committed less than was archived");
        for (long offset = 41; offset < 50; offset++) {
            assertEquals(Admission.SKIP, archive.admit(offset, false), "offset " + offset);
        }
        assertEquals(Admission.APPEND, archive.admit(53, false), "50..52 compacted away");
        archive.append(record(53), 0);
        archive.seal(0);

        assertEquals(List.of(53L), ArchiveContents.offsets(dir()), "nothing below the archived end written again");
        assertEquals(53, sealed.get(0).baseOffset());
        assertEquals(50, sealed.get(0).completeFrom(), "the segment is complete from the archive's end: no record "
                + "lies in 50..52");
        assertEquals(40, archive.committable(-1), "the consumer's position is committable");
        assertEquals(54, archive.committable(54), "and what is durable beyond it");
    }

    @Test
    void aConsumerAheadOfTheArchiveIsFollowedNotRewound() throws Exception {
        PartitionArchive archive = open(50, -1, 1 << 20, 60_000);
        deliver(archive, 80, 90, 0);
        archive.seal(0);

        assertEquals(LongStream.range(80, 90).boxed().toList(), ArchiveContents.offsets(dir()),
                "another worker archived 50..79; this one goes on from the consumer's position");
        assertEquals(80, archive.committable(-1));
    }

    @Test
    void offsetsGoingBackOutsideARedeliveryAreHeldUntilTheTopicsIdentityIsConfirmed() throws Exception {
        PartitionArchive archive = open(-1, -1, 1 << 20, 60_000);
        deliver(archive, 0, 10, 0);
        assertEquals(Admission.SKIP, archive.admit(5, true), "a redelivered batch is simply skipped");
        assertEquals(Admission.CHECK_IDENTITY, archive.admit(3, false), "offsets went back on their own");
        assertEquals(Admission.CHECK_IDENTITY, archive.admit(10, false), "nothing is admitted until confirmed");

        archive.identityConfirmed(3);
        assertEquals(Admission.SKIP, archive.admit(3, false), "the same topic: the archive holds it");
        deliver(archive, 4, 12, 0);
        archive.seal(0);
        assertEquals(LongStream.range(0, 12).boxed().toList(), ArchiveContents.offsets(dir()));
    }

    @Test
    void aNewIncarnationRewindsToItsFirstOffsetOnce() throws Exception {
        PartitionArchive archive = open(-1, 0, 1 << 20, 60_000);
        assertEquals(Admission.REWIND, archive.admit(500, false), "a committed offset left from the old topic");
        assertEquals(0, archive.rewindTo());
        deliver(archive, 0, 5, 0);
        archive.seal(0);

        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), ArchiveContents.offsets(dir()));
        assertEquals(-1, archive.rewindTo(), "rewound once");
    }

    @Test
    void abortDeletesTheActiveSegmentAndRewindsToItsFirstOffset() throws Exception {
        PartitionArchive archive = open(-1, -1, 1 << 20, 60_000);
        deliver(archive, 0, 10, 0);
        archive.seal(0);
        deliver(archive, 10, 20, 0);
        assertTrue(archive.hasActiveSegment());
        assertEquals(10, archive.activeBaseOffset());

        assertEquals(10, archive.abort(15), "the consumer is rewound to the active segment's first offset");
        assertFalse(archive.hasActiveSegment());
        assertEquals(1, SegmentFiles.list(dir()).size(), "the aborted segment's files are gone");
        assertEquals(Admission.APPEND, archive.admit(10, false), "offsets going back after an abort are expected");
        archive.append(record(10), 0);
        deliver(archive, 11, 20, 0);
        archive.seal(0);
        assertEquals(LongStream.range(0, 20).boxed().toList(), ArchiveContents.offsets(dir()),
                "the rewound records are archived once");
    }

    @Test
    void abortWithoutAnActiveSegmentRewindsToTheArchivesEnd() throws Exception {
        PartitionArchive archive = open(-1, -1, 1 << 20, 60_000);
        assertEquals(7, archive.abort(7), "nothing delivered: the failed record's offset");
        deliver(archive, 7, 10, 0);
        archive.seal(0);
        assertEquals(10, archive.abort(12), "after a seal: the end of what is sealed");
    }

    @Test
    void aSegmentIsSealedOnceItIsSegmentMsOld() throws Exception {
        PartitionArchive archive = open(-1, -1, 1 << 20, 5_000);
        assertEquals(Long.MAX_VALUE, archive.ageDeadlineMs(), "no active segment, no deadline");
        deliver(archive, 0, 3, 1_000);
        assertEquals(6_000, archive.ageDeadlineMs());

        archive.sealIfExpired(5_999);
        assertTrue(sealed.isEmpty(), "not yet");
        archive.sealIfExpired(6_000);
        assertEquals(1, sealed.size());
        assertEquals(List.of(0L, 1L, 2L), ArchiveContents.offsets(dir()));
    }

    @Test
    void anEmptySegmentIsNeverSealedAndNothingIsCreatedBeforeTheFirstRecord() throws Exception {
        PartitionArchive archive = open(-1, -1, 1 << 20, 60_000);
        archive.seal(0);
        assertFalse(Files.exists(dir()), "no directory before a record");
        assertTrue(sealed.isEmpty());
    }

    @Test
    void aRecordBelowTheArchivesEndIsRefused() throws Exception {
        PartitionArchive archive = open(-1, -1, 1 << 20, 60_000);
        deliver(archive, 0, 5, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> archive.append(record(3), 0));
        assertTrue(e.getMessage().contains("below the archive's end 5"), e.getMessage());
    }

    @Test
    void bufferedBytesAreFlushedIntoTheActiveSegmentsLog() throws Exception {
        PartitionArchive archive = open(-1, -1, 1 << 20, 60_000);
        deliver(archive, 0, 3, 0);
        assertTrue(archive.bufferedBytes() > 0, "an open batch holds the records");
        SegmentFiles active = SegmentFiles.list(dir()).get(0);
        long before = Files.size(active.log());
        archive.flushBuffer();
        assertEquals(0, archive.bufferedBytes());
        assertTrue(Files.size(active.log()) > before, "the batch was written to the .log");
    }
}
