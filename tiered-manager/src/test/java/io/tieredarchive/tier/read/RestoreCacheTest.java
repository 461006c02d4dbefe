package io.tieredarchive.tier.read;

import io.tieredarchive.tier.TestArchive;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tieredarchive.tier.TestArchive.T0;
import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The restore cache: least recently used evicted by bytes, atomic installs, survives a restart. */
class RestoreCacheTest {

    @TempDir
    Path tempDir;

    /** A sealed segment in a staging directory of {@code cache}, as a download leaves it. */
    private SegmentMetadata stage(RestoreCache cache, long base, Path[] staging) throws Exception {
        Path dir = cache.newStagingDir();
        SegmentFiles files = TestArchive.seal(tempDir.resolve("src-" + base), TOPIC, 0, base, 100, "w1", T0);
        for (Path p : files.all()) {
            Files.copy(p, dir.resolve(p.getFileName()));
        }
        staging[0] = dir;
        return TestArchive.meta(files);
    }

    private SegmentMetadata add(RestoreCache cache, long base) throws Exception {
        Path[] staging = new Path[1];
        SegmentMetadata meta = stage(cache, base, staging);
        SegmentFiles installed = cache.install(meta, staging[0]);
        assertTrue(installed.isSealed());
        assertFalse(Files.exists(staging[0]));
        return meta;
    }

    @Test
    void aSegmentWhoseTopicWouldLeaveTheCacheIsRefused() throws Exception {
        Path dir = tempDir.resolve("parent").resolve("cache");
        RestoreCache cache = new RestoreCache(dir, Long.MAX_VALUE);
        Path[] staging = new Path[1];
        SegmentMetadata m = stage(cache, 0, staging);
        SegmentMetadata hostile = new SegmentMetadata(m.formatVersion(), "../../escaped", m.partition(),
                m.baseOffset(), m.lastOffset(), m.recordCount(), m.firstTimestamp(), m.maxTimestamp(), m.codec(),
                m.writerId(), m.sealedAtMs(), m.log(), m.offsetIndex(), m.timeIndex(), m.clusterId(), m.topicId(),
                m.startOffset(), m.destination());
        io.tieredarchive.segment.SegmentException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.tieredarchive.segment.SegmentException.class, () -> cache.install(hostile, staging[0]));
        assertTrue(e.getMessage().contains("outside the restore cache"), e.getMessage());
        assertFalse(Files.exists(tempDir.resolve("escaped")), "nothing moved out");
        try (var files = Files.list(tempDir.resolve("parent"))) {
            assertEquals(java.util.List.of(dir), files.toList(), "nothing beside the cache");
        }
        assertFalse(Files.exists(staging[0]), "the staged files are dropped");
    }

    @Test
    void evictsTheLeastRecentlyUsedSegmentsByBytes() throws Exception {
        Path dir = tempDir.resolve("cache");
        long each = segmentBytes();
        RestoreCache cache = new RestoreCache(dir, 3 * each + each / 2);
        SegmentMetadata a = add(cache, 0);
        SegmentMetadata b = add(cache, 100);
        SegmentMetadata c = add(cache, 200);
        assertEquals(bytes(a, b, c), cache.sizeBytes());

        assertTrue(cache.get(a).isPresent()); // a is now more recent than b
        SegmentMetadata d = add(cache, 300);
        assertTrue(cache.get(b).isEmpty(), "b was the least recently used");
        assertFalse(Files.exists(dir.resolve(RestoreCache.keyOf(b))), "and its files are gone");
        assertTrue(cache.get(a).isPresent() && cache.get(c).isPresent() && cache.get(d).isPresent());
        assertEquals(bytes(a, c, d), cache.sizeBytes());

        cache.close(); // the worker stops
        RestoreCache restarted = new RestoreCache(dir, 3 * each + each / 2);
        assertEquals(3, restarted.segmentCount(), "what was cached survives a restart");
        assertEquals(bytes(a, c, d), restarted.sizeBytes());
        restarted.close();
        RestoreCache smaller = new RestoreCache(dir, bytes(c, d));
        assertEquals(2, smaller.segmentCount(), "a smaller cap evicts on start, oldest first");
        assertTrue(smaller.get(a).isEmpty() && smaller.get(d).isPresent());
        smaller.close();
    }

    /** The bytes one segment of the tests takes in the cache. */
    private long segmentBytes() throws Exception {
        return RestoreCache.bytesOf(TestArchive.meta(TestArchive.seal(tempDir.resolve("probe"), TOPIC, 0, 0, 100,
                "w1", T0)));
    }

    private static long bytes(SegmentMetadata... metas) {
        long sum = 0;
        for (SegmentMetadata m : metas) {
            sum += RestoreCache.bytesOf(m);
        }
        return sum;
    }

    @Test
    void aSegmentLargerThanTheCacheDoesNotFit() throws Exception {
        RestoreCache cache = new RestoreCache(tempDir.resolve("cache"), 10);
        SegmentMetadata meta = TestArchive.meta(TestArchive.seal(tempDir.resolve("x"), TOPIC, 0, 0, 100, "w1", T0));
        assertFalse(cache.fits(meta));
    }

    @Test
    void twoTasksOnOneDirectoryShareOneCacheAndOneBudget() throws Exception {
        Path dir = tempDir.resolve("cache");
        long each = segmentBytes();
        long budget = 2 * each + each / 2;
        RestoreCache first = new RestoreCache(dir, budget);
        Path[] staging = new Path[1];
        SegmentMetadata downloading = stage(first, 0, staging);   // the first task is downloading a segment

        RestoreCache second = new RestoreCache(dir, budget);      // a second replay task starts on this worker
        assertTrue(Files.exists(staging[0]), "the second task leaves the first one's download alone");
        first.install(downloading, staging[0]);
        add(second, 100);
        add(first, 200);
        SegmentMetadata last = add(second, 300);

        assertEquals(first.segmentCount(), second.segmentCount(), "one index");
        assertTrue(first.sizeBytes() <= budget, first.sizeBytes() + " bytes cached, budget " + budget);
        assertTrue(sizeOnDisk(dir) <= budget, "the directory holds " + sizeOnDisk(dir) + " bytes, budget "
                + budget);
        assertTrue(first.get(last).isPresent(), "what one task installed, the other finds");
        first.close();
        second.close();
    }

    @Test
    void theSmallestBudgetOfTheTasksOnADirectoryHoldsWhileTheyRun() throws Exception {
        Path dir = tempDir.resolve("cache");
        long each = segmentBytes();
        RestoreCache large = new RestoreCache(dir, 10 * each);
        for (int i = 0; i < 4; i++) {
            add(large, i * 100L);
        }
        RestoreCache small = new RestoreCache(dir, 2 * each + each / 2);  // another connector, a lower limit
        assertEquals(2, large.segmentCount(), "the lower limit takes effect at once, for every task");
        add(large, 400);
        assertEquals(2, small.segmentCount());
        small.close();
        add(large, 500);
        add(large, 600);
        assertEquals(4, large.segmentCount(), "the larger limit again once the smaller one is gone");
        large.close();
        large.close(); // twice is harmless
    }

    private static long sizeOnDisk(Path dir) throws Exception {
        try (var walk = Files.walk(dir)) {
            long sum = 0;
            for (Path p : walk.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".json")).toList()) {
                sum += Files.size(p);
            }
            return sum;
        }
    }

    @Test
    void leftoverDownloadsAreClearedOnStart() throws Exception {
        Path dir = tempDir.resolve("cache");
        RestoreCache cache = new RestoreCache(dir, 1L << 30);
        Path[] staging = new Path[1];
        stage(cache, 0, staging);
        cache.close(); // the worker stops mid-download
        new RestoreCache(dir, 1L << 30).close();
        assertFalse(Files.exists(staging[0]));
    }
}
