package io.tieredarchive.tier.read;

import io.tieredarchive.tier.ForwardingBackend;
import io.tieredarchive.tier.LocalTier;
import io.tieredarchive.tier.RecordingBackend;
import io.tieredarchive.tier.TestArchive;
import io.tieredarchive.tier.remote.RemoteSegmentStore;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentReader;
import io.tieredarchive.testing.BackendUnderTest;
import io.tieredarchive.tier.storage.StorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tieredarchive.tier.TestArchive.T0;
import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Restore on demand: local tier, restore cache, ranged reads from the store, overlap and follow; per backend. */
abstract class AbstractArchiveReaderTest {

    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path tempDir;
    private Path localDir;
    private RecordingBackend backend;
    private RemoteSegmentStore store;
    private ArchiveReader reader;

    private String prefix;

    /** The store the tests run on. */
    private final BackendUnderTest backends;

    protected AbstractArchiveReaderTest(BackendUnderTest backends) {
        this.backends = backends;
    }

    @BeforeEach
    void setUp() {
        localDir = tempDir.resolve("local");
        backend = new RecordingBackend(backends.backend(tempDir));
        prefix = "archive-" + UUID.randomUUID();
        store = new RemoteSegmentStore(backend, prefix, () -> T0);
    }

    @AfterEach
    void tearDown() {
        if (reader != null) {
            reader.close();
        }
        if (!backends.shared()) {
            backend.close();
        }
    }

    private ArchiveReader reader(boolean withLocal, RestoreCache cache, long refreshMs) {
        reader = new ArchiveReader(store, withLocal ? new LocalTier(localDir) : null, cache,
                new ArchiveReader.Options(CHUNK, 2, 4, refreshMs));
        return reader;
    }

    private SegmentMetadata archive(String writer, long base, int count, int valueBytes) throws Exception {
        SegmentFiles files = TestArchive.seal(localDir, TOPIC, 0, base, count, writer, T0, valueBytes, 16 * 1024);
        SegmentMetadata meta = TestArchive.meta(files);
        store.upload(files, meta);
        store.register(TestArchive.partition(TOPIC, 0), List.of(meta));
        return meta;
    }

    private static List<ArchivedRecord> drain(ArchiveCursor cursor) throws SegmentException {
        List<ArchivedRecord> out = new ArrayList<>();
        for (ArchivedRecord r = cursor.next(); r != null; r = cursor.next()) {
            out.add(r);
        }
        return out;
    }

    private static List<Long> offsets(List<ArchivedRecord> records) {
        return records.stream().map(ArchivedRecord::offset).toList();
    }

    private static List<Long> range(long from, long to) {
        List<Long> l = new ArrayList<>();
        for (long o = from; o < to; o++) {
            l.add(o);
        }
        return l;
    }

    @Test
    void readsEveryRecordInOrderFromTheNearestTier() throws Exception {
        List<SegmentMetadata> metas = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            metas.add(archive("w1", i * 100L, 100, 200));
        }
        for (int i = 0; i < 3; i++) { // aged out of the local tier
            for (Path p : SegmentFiles.of(TestArchive.partitionDir(localDir, TOPIC, 0), i * 100L).all()) {
                Files.delete(p);
            }
        }
        RestoreCache cache = new RestoreCache(tempDir.resolve("cache"), 10L << 20);
        try (ArchiveCursor cursor = reader(true, cache, 0).fromOffset(TestArchive.partition(TOPIC, 0), 50)) {
            List<ArchivedRecord> records = drain(cursor);
            assertEquals(range(50, 500), offsets(records));
            List<ArchivedRecord> expected = TestArchive.records(100, 100, 200);
            assertArrayEquals(expected.get(7).value(), records.get(57).value(), "offset 107 byte for byte");
            assertEquals(expected.get(7), records.get(57));
        }
        ArchiveReader.Stats stats = reader.stats();
        assertEquals(1, stats.rangedSegments(), "segment 0 entered in the middle: ranged reads");
        assertEquals(2, stats.downloadedSegments(), "segments 1 and 2 read whole: downloaded to the cache");
        assertEquals(2, stats.localSegments(), "segments 3 and 4 still on local disk");
        assertEquals(2, cache.segmentCount());

        backend.reset();
        try (ArchiveCursor again = reader.fromOffset(TestArchive.partition(TOPIC, 0), 100)) {
            assertEquals(range(100, 500), offsets(drain(again)));
        }
        assertTrue(backend.calls("fetch").stream().allMatch(c -> c.key().endsWith("manifest.json")),
                "a second read is served from the cache and local disk: " + backend.calls("fetch"));
    }

    @Test
    void readingFromTheMiddleOfAColdSegmentFetchesOnlyWhatItNeeds() throws Exception {
        SegmentMetadata meta = archive("w1", 0, 2_000, 1_000); // ~2 MB of poorly compressible values
        long position;
        try (SegmentReader local = SegmentReader.open(SegmentFiles.of(TestArchive.partitionDir(localDir, TOPIC, 0),
                0))) {
            position = local.positionOf(1_500);
        }
        long chunkStart = position / CHUNK * CHUNK;
        assertTrue(chunkStart > meta.log().size() / 2, "the wanted batch is in the second half");
        String logKey = store.layout().keys(meta).log();
        backend.reset();

        try (ArchiveCursor cursor = reader(false, null, 0).fromOffset(TestArchive.partition(TOPIC, 0), 1_500)) {
            for (int i = 0; i < 10; i++) {
                assertEquals(1_500 + i, cursor.next().offset());
            }
            List<RecordingBackend.Call> logFetches = logFetches(logKey);
            // Asked for with the indexes: the chunks around the record's estimated position (from one and a half
            // chunks before it to one after it); then the 2 chunks of read-ahead.
            assertTrue(logFetches.stream().allMatch(c -> c.position() >= chunkStart - 2 * CHUNK), "nothing more "
                    + "than two chunks before the batch's chunk at " + chunkStart + ": " + logFetches);
            assertTrue(logFetches.size() <= 6, "four chunks and at most 2 ahead: " + logFetches);
            assertTrue(logFetches.stream().anyMatch(c -> c.position() == chunkStart), logFetches.toString());

            assertEquals(range(1_510, 2_000), offsets(drain(cursor)));
        }
        List<RecordingBackend.Call> logFetches = logFetches(logKey);
        long first = logFetches.stream().mapToLong(RecordingBackend.Call::position).min().orElse(-1);
        long fetched = logFetches.stream().mapToLong(RecordingBackend.Call::length).sum();
        assertEquals(meta.log().size() - first, fetched, "each byte from the first chunk on fetched once");
        assertEquals(1, backend.calls("fetch").stream().filter(c -> c.key().endsWith(".index")).count());
        assertEquals(1, backend.calls("fetch").stream().filter(c -> c.key().endsWith(".timeindex")).count());
        assertTrue(backend.calls("fetch").stream().noneMatch(c -> c.key().endsWith("-w1.json")),
                "the manifest has the marker: no marker GET");
    }

    /**
     * A read from the middle of a cold segment asks for the {@code .log} bytes of its record in the same round trip
     * as the indexes, not after them: here the GET of the offset index is held until a GET of the {@code .log}
     * has started (it would wait in vain if the reader waited for the index first).
     */
    @Test
    void aReadFromTheMiddleAsksForItsRecordTogetherWithTheIndexes() throws Exception {
        SegmentMetadata meta = archive("w1", 0, 2_000, 1_000);
        String logKey = store.layout().keys(meta).log();
        CountDownLatch logAsked = new CountDownLatch(1);
        AtomicBoolean together = new AtomicBoolean();
        RemoteSegmentStore gated = new RemoteSegmentStore(new ForwardingBackend(backend) {
            @Override
            public byte[] fetch(String key, long position, int length) throws StorageException {
                if (key.equals(logKey)) {
                    logAsked.countDown();
                } else if (key.endsWith(".index")) {
                    try {
                        together.set(logAsked.await(10, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.fetch(key, position, length);
            }
        }, prefix, () -> T0);
        try (ArchiveReader r = new ArchiveReader(gated, null, null, new ArchiveReader.Options(CHUNK, 2, 8, 0));
             ArchiveCursor cursor = r.fromOffset(TestArchive.partition(TOPIC, 0), 1_500)) {
            assertEquals(1_500, cursor.next().offset());
            assertTrue(together.get(), "the .log was asked for only after the offset index came back");
        }
    }

    private List<RecordingBackend.Call> logFetches(String logKey) {
        return backend.calls("fetch").stream().filter(c -> c.key().equals(logKey)).toList();
    }

    @Test
    void readsFromATimestamp() throws Exception {
        for (int i = 0; i < 3; i++) {
            archive("w1", i * 100L, 100, 50);
        }
        try (ArchiveCursor cursor = reader(false, null, 0).fromTimestamp(TestArchive.partition(TOPIC, 0), TestArchive.timestampOf(142) - 5)) {
            assertEquals(range(142, 300), offsets(drain(cursor)));
        }
        try (ArchiveCursor cursor = reader.fromTimestamp(TestArchive.partition(TOPIC, 0), TestArchive.timestampOf(300))) {
            assertNull(cursor.next(), "nothing that late");
        }
    }

    @Test
    void overlappingSegmentsOfTwoWritersYieldEachOffsetOnce() throws Exception {
        archive("old", 0, 100, 50);
        archive("new", 60, 100, 50);
        archive("old", 100, 50, 50);
        archive("new", 160, 40, 50);
        try (ArchiveCursor cursor = reader(false, null, 0).fromOffset(TestArchive.partition(TOPIC, 0), 0)) {
            assertEquals(range(0, 200), offsets(drain(cursor)));
        }
    }

    @Test
    void aCursorAtTheEndFollowsNewSegments() throws Exception {
        archive("w1", 0, 10, 50);
        try (ArchiveCursor cursor = reader(false, null, 0).fromOffset(TestArchive.partition(TOPIC, 0), 0)) {
            assertEquals(range(0, 10), offsets(drain(cursor)));
            assertNull(cursor.next());
            archive("w1", 10, 10, 50);
            assertEquals(range(10, 20), offsets(drain(cursor)));
        }
    }

    @Test
    void aRestoreOfANameThatIsNoTopicIsRefusedBeforeAnythingIsWritten() throws Exception {
        archive("w1", 0, 10, 50);
        Path output = tempDir.resolve("restore").resolve("out");
        for (String topic : List.of("../escaped", "a/../../b", "..", ".", "/abs")) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> reader(false, null, 0).restore(TestArchive.partition(topic,
                            0), 0, -1, output, n -> { }));
            assertTrue(e.getMessage().contains("Cannot restore '" + topic + "'"), e.getMessage());
            reader.close();
            reader = null;
        }
        org.junit.jupiter.api.Assertions.assertFalse(java.nio.file.Files.exists(tempDir.resolve("restore")),
                "nothing created");
    }

    @Test
    void aConfinedRestoreCreatesNewFilesOnlyAndNeverWritesThroughALink() throws Exception {
        archive("w1", 0, 100, 50);
        archive("w1", 100, 100, 50);
        RestoreRoot root = RestoreRoot.of(tempDir.resolve("restore-root"));
        RestoreTarget target = root.target("out", TOPIC, 0, List.of());
        Path dir = target.directory();
        // Appeared after the check: a file of the second segment, and a link in place of another.
        java.nio.file.Files.createDirectories(dir);
        Path kept = java.nio.file.Files.writeString(SegmentFiles.of(dir, 100).timeIndex(), "keep me");
        Path victim = java.nio.file.Files.writeString(tempDir.resolve("victim"), "outside");
        java.nio.file.Files.createSymbolicLink(SegmentFiles.of(dir, 100).offsetIndex(), victim);

        ArchiveReader r = reader(false, null, 0);
        List<SegmentMetadata> chain = r.restoreChain(TestArchive.partition(TOPIC, 0), 0, -1);
        SegmentException e = assertThrows(SegmentException.class, () -> r.restore(chain, target, n -> { }));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertEquals("keep me", java.nio.file.Files.readString(kept));
        assertEquals("outside", java.nio.file.Files.readString(victim), "written through a symbolic link");
        try (SegmentReader first = SegmentReader.open(SegmentFiles.of(dir, 0))) {
            assertEquals(0, first.recordsFrom(0).next().offset(), "the first segment came back whole");
        }
        assertTrue(java.nio.file.Files.isSymbolicLink(SegmentFiles.of(dir, 100).offsetIndex()));
        assertTrue(!java.nio.file.Files.exists(SegmentFiles.of(dir, 100).log())
                && !java.nio.file.Files.exists(SegmentFiles.of(dir, 100).marker()), "nothing half-written is left");
    }

    @Test
    void aRestoreIntoADirectoryTheCallerOwnsReplacesItsFiles() throws Exception {
        archive("w1", 0, 100, 50);
        Path output = tempDir.resolve("cli-output");
        Path log = SegmentFiles.of(output.resolve(TOPIC + "-0"), 0).log();
        java.nio.file.Files.createDirectories(log.getParent());
        java.nio.file.Files.writeString(log, "an earlier restore, cut short");
        reader(false, null, 0).restore(TestArchive.partition(TOPIC, 0), 0, -1, output, n -> { });
        try (SegmentReader restored = SegmentReader.open(SegmentFiles.of(output.resolve(TOPIC + "-0"), 0))) {
            assertEquals(99, restored.recordsFrom(99).next().offset());
        }
    }

    @Test
    void aCorruptObjectIsNamedNeverSkipped() throws Exception {
        SegmentMetadata meta = archive("w1", 0, 500, 200);
        Path object = backends.objectFile(tempDir, store.layout().keys(meta).log());
        try (FileChannel ch = FileChannel.open(object, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), meta.log().size() / 2);
        }
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> {
            try (ArchiveCursor cursor = reader(false, null, 0).fromOffset(TestArchive.partition(TOPIC, 0), 1)) {
                drain(cursor);
            }
        });
        assertTrue(e.getMessage().contains(store.layout().keys(meta).log()), e.getMessage());

        RestoreCache cache = new RestoreCache(tempDir.resolve("cache"), 10L << 20);
        ArchiveReader cached = new ArchiveReader(store, null, cache, ArchiveReader.Options.DEFAULT);
        try {
            CorruptSegmentException d = assertThrows(CorruptSegmentException.class, () -> cached.restoreToCache(meta));
            assertTrue(d.getMessage().contains(store.layout().keys(meta).log()), d.getMessage());
            assertEquals(0, cache.segmentCount(), "a corrupt download is not cached");
        } finally {
            cached.close();
        }
    }
}
