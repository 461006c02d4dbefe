package io.tieredarchive.sink;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.failure.Backoff;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.LocalTier;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.TieringStats;
import io.tieredarchive.testing.CapturedLogs;
import io.tieredarchive.tier.storage.StorageException;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The task on a real tier ({@link TieredDurability} on a {@link TieringService} whose bucket is a directory): what
 * each {@code commit.mode} commits, where a partition's archive starts when the store holds more than the local
 * disk, what an unreachable store does on open, and recovery while local retention deletes tiered segments.
 */
class ArchiveSinkTaskTieringTest extends SinkTaskTestBase {

    /** open() calls of the durability still to fail with a store error. */
    private final AtomicInteger storeFailures = new AtomicInteger();

    @Override
    Durability durability(ArchiveSinkConfig config, Runnable onTiered) {
        Durability real = super.durability(config, onTiered);
        return new Durability() {
            @Override
            public String destination() {
                return real.destination();
            }

            @Override
            public boolean canUpload(String destination) {
                return real.canUpload(destination);
            }

            @Override
            public long archivedEnd(ArchivePartition p, long localSealedEnd) throws SegmentException {
                if (storeFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new StorageException("S3 unreachable (test)");
                }
                return real.archivedEnd(p, localSealedEnd);
            }

            @Override
            public boolean hasOtherIncarnation(ArchivePartition p) throws SegmentException {
                return real.hasOtherIncarnation(p);
            }

            @Override
            public void sealed(ArchivePartition p, SegmentFiles files, SegmentMetadata metadata) {
                real.sealed(p, files, metadata);
            }

            @Override
            public long durableEnd(ArchivePartition p) {
                return real.durableEnd(p);
            }

            @Override
            public void closed(ArchivePartition p) {
                real.closed(p);
            }

            @Override
            public TieringStats tieringStats() {
                return real.tieringStats();
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }

    private ArchiveSinkTask startRemote(FakeSinkTaskContext context) {
        return start(context, Map.of("commit.mode", "remote"));
    }

    @Test
    void remoteModeCommitsOnlyWhatIsVerifiedInTheStoreAndAsksForACommitWhenItIs() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = startRemote(context);
        task.open(List.of(TP));
        task.put(records(TP, 0, 100));
        expire();
        task.put(records(TP, 100, 120)); // seals 0..99
        assertEquals(1, ArchiveContents.sealed(dir(TP)).size());
        assertEquals(committed(0), task.preCommit(consumed(TP, 120)).get(TP),
                "sealed locally is not durable with commit.mode=remote");

        assertEquals(1.0, ((Number) context.metric(SinkMetrics.TIER_PENDING_SEGMENTS)).doubleValue());
        assertEquals(0.0, ((Number) context.metric(SinkMetrics.TIER_UPLOADED_SEGMENTS_TOTAL)).doubleValue());

        int requestsBefore = context.commitRequests;
        tiers.of(localDir).runPass();
        assertEquals(committed(100), task.preCommit(consumed(TP, 120)).get(TP));
        assertEquals(0.0, ((Number) context.metric(SinkMetrics.TIER_PENDING_SEGMENTS)).doubleValue());
        assertEquals(1.0, ((Number) context.metric(SinkMetrics.TIER_UPLOADED_SEGMENTS_TOTAL)).doubleValue());
        assertTrue(((Number) context.metric(SinkMetrics.TIER_UPLOADED_BYTES_TOTAL)).doubleValue() > 0);
        assertTrue(((Number) context.metric(SinkMetrics.TIER_LAST_PASS_AGE_MS)).doubleValue() >= 0);
        task.put(List.of());
        assertEquals(requestsBefore + 1, context.commitRequests, "a segment tiered asks Connect to commit soon");
        assertEquals(100, tiers.of(localDir).store().view(archived(TP)).endOffset());
    }

    @Test
    void localModeCommitsWhatIsSealedAndTheTierStillUploadsItAfterTheTaskStopped() throws Exception {
        ArchiveSinkTask task = start(new FakeSinkTaskContext());
        task.open(List.of(TP));
        task.put(records(TP, 0, 100));
        task.preCommit(consumed(TP, 100)); // Connect commits before it closes (nothing durable yet)
        task.close(List.of(TP)); // seals 0..99
        task.stop();
        tasks.remove(task);

        tiers.of(localDir).runPass();
        assertEquals(100, tiers.of(localDir).store().view(archived(TP)).endOffset());
    }

    @Test
    void aPartitionArchivedOnAnotherDiskGoesOnAtTheStoresEnd() throws Exception {
        Path otherDisk = Files.createDirectory(bucket.resolveSibling(bucket.getFileName() + "-other-disk"));
        ArchiveSinkTask first = start(new FakeSinkTaskContext(), Map.of("local.dir", otherDisk.toString()));
        first.open(List.of(TP));
        first.put(records(TP, 0, 100));
        first.close(List.of(TP)); // sealed on revocation, never committed
        tiers.of(otherDisk).runPass();

        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask next = startRemote(context);
        next.open(List.of(TP));
        next.put(records(TP, 0, 60)); // Connect starts at the committed offset, 0
        assertEquals(Map.of(TP, 100L), context.takeOffsets(), "skips what the store holds already");
        next.put(records(TP, 100, 150));
        next.close(List.of(TP));
        assertEquals(LongStream.range(100, 150).boxed().toList(), ArchiveContents.offsets(dir(TP)),
                "nothing of 0..99 is archived twice");
    }

    @Test
    void aStoreThatCannotBeAskedOnOpenHoldsRecordsBackUntilItAnswers() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = startRemote(context);
        storeFailures.set(2);
        task.open(List.of(TP)); // does not fail the task
        assertTrue(task.preCommit(consumed(TP, 0)).isEmpty(), "nothing to commit for an unopened partition");

        assertThrows(RetriableException.class, () -> task.put(records(TP, 0, 50)));
        assertEquals(List.of(Backoff.SINK_WRITE.initialMs()), context.timeouts);
        assertFalse(Files.exists(dir(TP)) && !SegmentFiles.list(dir(TP)).isEmpty(), "nothing written");

        task.put(records(TP, 0, 50)); // Connect delivers the same batch again; the store answers now
        task.close(List.of(TP));
        assertEquals(LongStream.range(0, 50).boxed().toList(), ArchiveContents.offsets(dir(TP)));
    }

    /**
     * A missing bucket is no transient trouble: the task still does not fail (S3 never fails the sink) and writes
     * nothing, but it says at ERROR which bucket to check, instead of retrying silently or taking the missing
     * bucket for an empty archive.
     */
    @Test
    void aMissingBucketHoldsRecordsBackAndIsLoggedAtErrorNamingTheBucket() throws Exception {
        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask task = startRemote(context);
        try (Stream<Path> walk = Files.walk(bucket)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        try (CapturedLogs logs = new CapturedLogs()) {
            task.open(List.of(TP)); // does not fail the task
            assertThrows(RetriableException.class, () -> task.put(records(TP, 0, 50)));
            assertEquals(List.of(Backoff.SINK_WRITE.initialMs()), context.timeouts);
            assertFalse(Files.exists(dir(TP)) && !SegmentFiles.list(dir(TP)).isEmpty(), "nothing written");
            List<String> errors = logs.text().lines().filter(l -> l.startsWith("ERROR")).toList();
            assertFalse(errors.isEmpty(), logs.text());
            assertTrue(errors.stream().allMatch(l -> l.contains(bucket.toString()) && l.contains("check s3.bucket")),
                    errors.toString());
        }
    }

    @Test
    void recoveryToleratesLocalRetentionDeletingATieredSegment() throws Exception {
        ArchiveSinkTask task = start(new FakeSinkTaskContext());
        task.open(List.of(TP));
        task.put(records(TP, 0, 100));
        expire();
        task.put(records(TP, 100, 200)); // seals 0..99
        task.close(List.of(TP)); // seals 100..199
        tiers.of(localDir).runPass();
        List<SegmentFiles> sealed = ArchiveContents.sealed(dir(TP));
        assertEquals(2, sealed.size());
        assertTrue(sealed.stream().allMatch(LocalTier::isTiered));

        // Retention deletes .log, .index, .timeindex, marker, then .tiered. What a listing can meet: segment 0
        // listed by its .log just before retention removed the files up to the marker, segment 1 half deleted.
        Files.delete(sealed.get(0).marker());
        Files.delete(sealed.get(1).log());
        Files.delete(sealed.get(1).offsetIndex());
        PartitionRecovery.Result recovered = PartitionRecovery.recover(dir(TP), TP);
        assertEquals(List.of(), recovered.discarded(), "a tiered segment is not mistaken for an unsealed one");
        assertTrue(Files.exists(sealed.get(0).log()), "left to retention");

        FakeSinkTaskContext context = new FakeSinkTaskContext();
        ArchiveSinkTask next = start(context);
        next.open(List.of(TP));
        next.put(records(TP, 0, 10));
        assertEquals(Map.of(TP, 200L), context.takeOffsets(), "the archive still ends at 200");
    }

    @Test
    void aSealedSegmentThatIsNotTieredAndLostItsLogStillStopsTheOpen() throws Exception {
        ArchiveSinkTask task = start(new FakeSinkTaskContext());
        task.open(List.of(TP));
        task.put(records(TP, 0, 100));
        task.close(List.of(TP));
        Path log = ArchiveContents.sealed(dir(TP)).get(0).log();
        Files.write(log, new byte[0]); // truncated, and never uploaded

        ArchiveSinkTask next = start(new FakeSinkTaskContext());
        assertThrows(ConnectException.class, () -> next.open(List.of(TP)));
    }
}
