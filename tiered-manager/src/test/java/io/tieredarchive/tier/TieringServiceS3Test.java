package io.tieredarchive.tier;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.testing.CapturedLogs;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiering service against a real S3 server that goes away: while it is down uploads fail and are retried,
 * nothing is deleted locally and the durable end does not move; once it is back every segment arrives.
 * The outage lasts {@link #OUTAGE} (shorter than the 30 s of the acceptance criteria, to keep the build fast;
 * nothing in the service depends on the outage's length: it backs off up to its maximum and retries).
 */
class TieringServiceS3Test {

    private static final Duration OUTAGE = Duration.ofSeconds(8);
    private static final ArchivePartition TP = TestArchive.partition(TOPIC, 0);

    @TempDir
    Path tempDir;

    @Test
    void anOutageOfTheStoreLosesNothingAndDeletesNothingUnverified() throws Exception {
        Path localDir = tempDir.resolve("local");
        try (CapturedLogs logs = new CapturedLogs();
             S3ProxyServer s3 = S3ProxyServer.startIn(tempDir)) {
            S3Connection connection = S3TestConnections.withRetries(S3TestConnections.create(s3, "tiering"), 2);
            TieringSettings settings = new TieringSettings(localDir, 0, 0, -1, 200, 2, 200, 1_000);
            TieringService service = new TieringService(settings, RemoteSegmentStore.create(connection),
                    System::currentTimeMillis);
            try {
                service.start();
                List<SegmentFiles> before = sealAndTell(service, localDir, 0, 3);
                await(() -> service.remoteDurableEnd(TP) == 300 && before.stream().noneMatch(f -> exists(f)),
                        "first segments tiered and aged out");

                s3.stop();
                List<SegmentFiles> during = sealAndTell(service, localDir, 300, 3);
                long until = System.nanoTime() + OUTAGE.toNanos();
                while (System.nanoTime() < until) {
                    assertTrue(during.stream().allMatch(TieringServiceS3Test::exists), "deleted while S3 is down");
                    assertEquals(300, service.remoteDurableEnd(TP), "durable end moved while S3 is down");
                    Thread.sleep(100);
                }
                assertTrue(service.stats().failedAttempts() >= 2, "retried: " + service.stats());
                assertEquals(3, service.stats().pendingSegments());

                s3.start();
                await(() -> service.remoteDurableEnd(TP) == 600 && during.stream().noneMatch(f -> exists(f)),
                        "segments sealed during the outage tiered once S3 is back");
                List<SegmentMetadata> remote = service.store().view(TestArchive.partition(TOPIC, 0)).segments();
                assertEquals(List.of(0L, 100L, 200L, 300L, 400L, 500L),
                        remote.stream().map(SegmentMetadata::baseOffset).toList());
                assertEquals(600, remote.stream().mapToLong(SegmentMetadata::recordCount).sum());
            } finally {
                service.close();
            }
            String text = logs.text();
            assertTrue(text.contains("Upload of " + TP + " failed"), "the outage is logged");
            assertFalse(text.contains(S3ProxyServer.SECRET_KEY), "the secret key appears in the logs");
        }
    }

    private static List<SegmentFiles> sealAndTell(TieringService service, Path localDir, long from, int count)
            throws Exception {
        List<SegmentFiles> sealed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SegmentFiles files = TestArchive.seal(localDir, TOPIC, 0, from + i * 100L, 100, "w1",
                    System.currentTimeMillis());
            service.segmentSealed(files, TestArchive.meta(files));
            sealed.add(files);
        }
        return sealed;
    }

    private static boolean exists(SegmentFiles files) {
        return Files.exists(files.log()) && Files.exists(files.marker());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}
