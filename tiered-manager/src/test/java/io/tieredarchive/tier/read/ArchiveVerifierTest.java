package io.tieredarchive.tier.read;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.TestArchive;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteLayout;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static io.tieredarchive.tier.TestArchive.T0;
import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ArchiveVerifier} on a store in a directory ({@link FileSystemStorageBackend}): what a clean partition, a
 * damaged object, a missing object and a hole between segments are reported as.
 */
class ArchiveVerifierTest {

    private static final ArchivePartition PARTITION = TestArchive.partition(TOPIC, 0);

    @TempDir
    Path tempDir;
    private Path localDir;
    private Path bucket;
    private Path scratch;
    private RemoteSegmentStore store;
    private ArchiveReader reader;
    private ArchiveVerifier verifier;

    @BeforeEach
    void setUp() throws Exception {
        localDir = tempDir.resolve("local");
        bucket = tempDir.resolve("bucket");
        scratch = Files.createDirectories(tempDir.resolve("scratch"));
        store = new RemoteSegmentStore(new FileSystemStorageBackend(bucket), "archive", () -> T0);
        reader = new ArchiveReader(store, null, null, ArchiveReader.Options.DEFAULT);
        verifier = new ArchiveVerifier(store, reader);
    }

    @AfterEach
    void tearDown() {
        reader.close();
        store.close();
    }

    /** Seals {@code count} records from {@code base}, complete from {@code startOffset} (-1: unknown), and tiers it. */
    private SegmentMetadata archive(long base, int count, long startOffset) throws SegmentException {
        SegmentFiles files = TestArchive.seal(localDir, TOPIC, 0, base, count, "w1", T0, 100, 4 * 1024,
                TestArchive.ORIGIN.startingAt(startOffset));
        SegmentMetadata meta = TestArchive.meta(files);
        store.upload(files, meta);
        store.register(PARTITION, List.of(meta));
        return meta;
    }

    private Path objectFile(String key) {
        return bucket.resolve(key);
    }

    @Test
    void aCleanArchiveHasNoProblemsQuickOrDeep() throws Exception {
        archive(0, 100, 0);
        archive(100, 100, 100);
        archive(250, 50, 200); // 200..249 compacted away: the segment is complete from 200
        for (boolean deep : new boolean[] {false, true}) {
            ArchiveVerifier.Report report = verifier.verify(PARTITION, deep, scratch);
            assertEquals(new ArchiveVerifier.Report(PARTITION.toString(), 3, 250, List.of(), List.of()), report,
                    deep ? "deep" : "quick");
            assertTrue(report.ok());
        }
        try (var left = Files.list(scratch)) {
            assertEquals(List.of(), left.toList(), "the deep check's downloads are deleted");
        }
    }

    @Test
    void aCorruptedLogByteIsReportedWithTheObjectsName() throws Exception {
        archive(0, 100, 0);
        SegmentMetadata damaged = archive(100, 100, 100);
        String key = store.layout().keys(damaged).log();
        try (FileChannel ch = FileChannel.open(objectFile(key), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {9, 9, 9}), damaged.log().size() / 2);
        }
        assertTrue(verifier.verify(PARTITION, false, scratch).ok(), "a quick check trusts the objects' metadata");

        ArchiveVerifier.Report report = verifier.verify(PARTITION, true, scratch);
        assertEquals(1, report.errors().size(), report.toString());
        String error = report.errors().get(0);
        assertTrue(error.startsWith("Corrupt segment data in ") && error.contains(key), error);
        assertEquals(List.of(), report.warnings());
    }

    @Test
    void aMissingIndexIsAnError() throws Exception {
        archive(0, 100, 0);
        SegmentMetadata meta = archive(100, 100, 100);
        String index = store.layout().keys(meta).offsetIndex();
        Files.delete(objectFile(index));
        for (boolean deep : new boolean[] {false, true}) {
            ArchiveVerifier.Report report = verifier.verify(PARTITION, deep, scratch);
            assertEquals(List.of(index + " is missing"), report.errors(), deep ? "deep" : "quick");
            assertEquals(2, report.segments());
        }
    }

    @Test
    void aHoleBetweenTwoSegmentsThatKnowWhereTheyAreCompleteIsAnError() throws Exception {
        archive(0, 100, 0);
        SegmentMetadata after = archive(150, 50, 150); // complete from 150: 100..149 are lost
        ArchiveVerifier.Report report = verifier.verify(PARTITION, false, scratch);
        assertEquals(1, report.errors().size(), report.toString());
        assertTrue(report.errors().get(0).startsWith("offsets 100..149 are in no segment")
                && report.errors().get(0).contains(RemoteLayout.markerName(after)),
                report.errors().get(0));
        assertEquals(List.of(), report.warnings());
    }

    @Test
    void aGapBeforeASegmentOfUnknownStartIsOnlyAWarning() throws Exception {
        archive(0, 100, -1);
        archive(150, 50, -1); // a legacy-style marker: the gap may be compaction
        ArchiveVerifier.Report report = verifier.verify(PARTITION, false, scratch);
        assertEquals(List.of(), report.errors());
        assertEquals(1, report.warnings().size(), report.toString());
        assertTrue(report.warnings().get(0).startsWith("offsets 100..149 are in no segment (normal for a compacted"),
                report.warnings().get(0));
    }

    @Test
    void aMarkerTheManifestListsButTheStoreLostIsAnErrorAndItsObjectsTornUploads() throws Exception {
        archive(0, 100, 0);
        SegmentMetadata lost = archive(100, 100, 100);
        String marker = store.layout().keys(lost).marker();
        Files.delete(objectFile(marker));
        ArchiveVerifier.Report report = verifier.verify(PARTITION, false, scratch);
        assertEquals(List.of("the manifest lists " + RemoteLayout.markerName(lost) + " but that marker is missing"),
                report.errors());
        assertEquals(3, report.warnings().size(), "its .log, .index and .timeindex: " + report.warnings());
        assertTrue(report.warnings().stream().allMatch(w -> w.startsWith("torn upload: ")), report.toString());
        assertEquals(1, report.segments());
    }
}
