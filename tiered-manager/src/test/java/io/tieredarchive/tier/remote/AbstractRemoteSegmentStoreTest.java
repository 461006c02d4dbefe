package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.SegmentOrigin;
import io.tieredarchive.tier.RecordingBackend;
import io.tieredarchive.tier.TestArchive;

import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.storage.ObjectInfo;
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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The remote layout, upload verification and manifest, on each backend (subclasses). */
abstract class AbstractRemoteSegmentStoreTest {

    @TempDir
    Path tempDir;
    private Path local;
    RecordingBackend backend;
    RemoteSegmentStore store;
    private final AtomicLong clock = new AtomicLong(TestArchive.T0);
    private String prefix;

    /** The store the tests run on. */
    private final BackendUnderTest backends;

    protected AbstractRemoteSegmentStoreTest(BackendUnderTest backends) {
        this.backends = backends;
    }

    @BeforeEach
    void setUp() throws Exception {
        local = tempDir.resolve("local");
        backend = new RecordingBackend(backends.backend(tempDir));
        prefix = "archive-" + UUID.randomUUID();
        store = new RemoteSegmentStore(backend, prefix, clock::get);
    }

    @AfterEach
    void tearDown() {
        if (!backends.shared()) {
            backend.close();
        }
    }

    private SegmentMetadata uploadAndRegister(long base, int count, String writer) throws Exception {
        SegmentFiles files = TestArchive.seal(local.resolve(writer), TOPIC, 0, base, count, writer, clock.get());
        SegmentMetadata meta = TestArchive.meta(files);
        store.upload(files, meta);
        store.register(TestArchive.partition(TOPIC, 0), List.of(meta));
        return meta;
    }

    @Test
    void objectsAreNamedByIncarnationPartitionAndSegmentFolderWithKafkasFileNames() throws Exception {
        SegmentMetadata meta = uploadAndRegister(42, 10, "sink-0-ab");
        List<String> keys = backend.listAll(prefix + "/", null).stream().map(ObjectInfo::key).toList();
        String p = prefix + "/orders/test-cluster.test-topic-id/0/";
        String s = p + "00000000000000000042-sink-0-ab/00000000000000000042";
        assertEquals(List.of(s + ".index", s + ".json", s + ".log", s + ".timeindex", p + "manifest.json"), keys);
        ObjectInfo log = backend.head(s + ".log").orElseThrow();
        assertEquals(meta.log().size(), log.size());
        assertEquals(meta.log().crc32c(), log.crc32c(), "the CRC32C is stored in the object's metadata");
    }

    @Test
    void legacySegmentsKeepTheirLayoutAndAreReadAsTheLegacyIncarnation() throws Exception {
        SegmentFiles files = TestArchive.seal(local, TOPIC, 0, 42, 10, "sink-0-ab", clock.get(), 100, 16 * 1024,
                SegmentOrigin.UNKNOWN);
        SegmentMetadata meta = TestArchive.meta(files);
        store.upload(files, meta);
        ArchivePartition legacy = ArchivePartition.legacy(TOPIC, 0);
        store.register(legacy, List.of(meta));
        List<String> keys = backend.listAll(prefix + "/", null).stream().map(ObjectInfo::key).toList();
        String p = prefix + "/orders/0/";
        assertEquals(List.of(p + "00000000000000000042-sink-0-ab.index", p + "00000000000000000042-sink-0-ab.json",
                p + "00000000000000000042-sink-0-ab.log", p + "00000000000000000042-sink-0-ab.timeindex",
                p + "manifest.json"), keys);
        assertEquals(List.of(meta), store.view(legacy).segments());
        assertTrue(store.view(TestArchive.partition(TOPIC, 0)).segments().isEmpty(), "not another incarnation's");
        assertEquals(List.of(Incarnation.LEGACY), store.catalog().incarnations(TOPIC).stream()
                .map(ArchiveCatalog.Entry::incarnation).toList());
    }

    @Test
    void twoIncarnationsOfATopicKeepApartAndTheirOffsetsNeverMeet() throws Exception {
        SegmentMetadata first = uploadAndRegister(0, 100, "w1");
        SegmentOrigin recreated = new SegmentOrigin("test-cluster", "another-topic-id", 0, null);
        SegmentFiles files = TestArchive.seal(local.resolve("second"), TOPIC, 0, 0, 30, "w2", clock.get(), 100,
                16 * 1024, recreated);
        SegmentMetadata second = TestArchive.meta(files);
        store.upload(files, second);
        ArchivePartition p2 = ArchivePartition.of(second);
        store.register(p2, List.of(second));
        store.describeIncarnation(TOPIC, p2.incarnation());
        assertEquals(100, store.view(TestArchive.partition(TOPIC, 0)).endOffset());
        assertEquals(30, store.view(p2).endOffset());
        assertEquals(List.of(first), store.view(TestArchive.partition(TOPIC, 0)).segments());
        assertThrows(IllegalArgumentException.class, () -> store.register(p2, List.of(first)),
                "a segment of one incarnation is never registered in another's manifest");
    }

    @Test
    void theMarkerIsUploadedLastAfterTheStoreVouchedForTheRest() throws Exception {
        SegmentFiles files = TestArchive.seal(local, TOPIC, 0, 0, 50, "w1", clock.get());
        backend.reset();
        store.upload(files, TestArchive.meta(files));
        List<String> uploads = backend.calls("upload").stream().map(RecordingBackend.Call::key).toList();
        assertEquals(4, uploads.size());
        assertTrue(uploads.get(3).endsWith("-w1/00000000000000000000.json"), uploads.toString());
        assertEquals(List.of("upload", "upload", "upload", "upload"),
                backend.calls.stream().map(RecordingBackend.Call::op).toList(),
                "the store's answers prove the bytes: no HEAD before or after a first upload");
        assertTrue(store.isVerified(files, TestArchive.meta(files)));
    }

    @Test
    void aSealedSegmentCostsFourUploadsAndOneManifestUpdate() throws Exception {
        uploadAndRegister(0, 100, "w1");
        SegmentFiles files = TestArchive.seal(local, TOPIC, 0, 100, 100, "w1", clock.get());
        SegmentMetadata meta = TestArchive.meta(files);
        backend.reset();
        store.upload(files, meta);
        store.register(TestArchive.partition(TOPIC, 0), List.of(meta));
        List<String> expected = new ArrayList<>(List.of("upload", "upload", "upload", "upload", "get", "list", "put"));
        if (!backend.atomicConditionalWrites()) {
            expected.add("fetch"); // the update read back
        }
        assertEquals(expected, backend.calls.stream().map(RecordingBackend.Call::op).toList(),
                "no HEAD, and the segment's own marker is not read back from the store: " + backend.calls);
    }

    @Test
    void aFailedAttemptIsResumedWithoutSendingAgainWhatTheStoreAlreadyHas() throws Exception {
        SegmentFiles files = TestArchive.seal(local, TOPIC, 0, 0, 100, "w1", clock.get());
        SegmentMetadata meta = TestArchive.meta(files);
        backend.failWhen = c -> c.op().equals("upload") && c.key().endsWith(".timeindex");
        assertThrows(StorageException.class, () -> store.upload(files, meta));
        assertTrue(store.view(TestArchive.partition(TOPIC, 0)).segments().isEmpty(), "no marker: invisible");

        backend.failWhen = c -> false;
        backend.reset();
        long sent = store.upload(files, meta);
        assertEquals(meta.timeIndex().size() + Files.size(files.marker()), sent,
                "the .log and .index the store vouched for are not sent again");
        assertEquals(List.of("head", "upload", "head", "upload"), backend.calls.stream()
                .map(RecordingBackend.Call::op).toList(), "a retry looks before it sends: " + backend.calls);
        assertEquals(100, store.view(TestArchive.partition(TOPIC, 0)).endOffset(), "visible once the marker is there");
    }

    @Test
    void findsSegmentsByOffsetAndTimestampFromTheManifestAlone() throws Exception {
        for (int i = 0; i < 10; i++) {
            uploadAndRegister(i * 100L, 100, "w1");
        }
        backend.reset();
        PartitionView view = store.view(TestArchive.partition(TOPIC, 0));
        assertEquals(1, backend.calls("fetch").size(), "one GET: the manifest, no marker: " + backend.calls);
        assertEquals(1, backend.calls("list").size(), "one LIST: markers after the manifest");

        assertEquals(500, view.segmentFrom(537).orElseThrow().baseOffset());
        assertEquals(0, view.segmentFrom(0).orElseThrow().baseOffset());
        assertEquals(900, view.segmentFrom(999).orElseThrow().baseOffset());
        assertTrue(view.segmentFrom(1000).isEmpty());
        assertEquals(300, view.segmentFromTimestamp(TestArchive.timestampOf(345)).orElseThrow().baseOffset());
        assertTrue(view.segmentFromTimestamp(TestArchive.timestampOf(1000)).isEmpty());
        assertEquals(0, view.startOffset());
        assertEquals(1000, view.endOffset());
        assertEquals(1, backend.calls("fetch").size(), "lookups cost no request");
    }

    @Test
    void aTornUploadIsInvisibleAndUploadingAgainRepairsIt() throws Exception {
        uploadAndRegister(0, 100, "w1");
        SegmentFiles files = TestArchive.seal(local, TOPIC, 0, 100, 100, "w1", clock.get());
        SegmentMetadata meta = TestArchive.meta(files);
        // A worker died after the .log went up: no marker.
        backend.upload(store.layout().keys(meta).log(), files.log(), meta.log().crc32c(),
                Map.of(ObjectInfo.CRC32C, meta.log().crc32c()));

        PartitionView view = store.view(TestArchive.partition(TOPIC, 0));
        assertTrue(view.segmentFrom(150).isEmpty(), "no marker, no segment");
        assertEquals(100, view.endOffset());

        // The restarted worker remembers nothing: it sends the segment whole, the same bytes under the same keys.
        long sent = store.upload(files, meta);
        assertEquals(meta.log().size() + meta.offsetIndex().size() + meta.timeIndex().size()
                + Files.size(files.marker()), sent);
        assertEquals(100, store.view(TestArchive.partition(TOPIC, 0)).segmentFrom(150).orElseThrow().baseOffset(),
                "visible once the marker is there, even before registration");
        assertTrue(store.isVerified(files, meta));
    }

    @Test
    void aSegmentFoundIncompleteBeforeDeletionIsResumedNotResent() throws Exception {
        SegmentMetadata meta = uploadAndRegister(0, 100, "w1");
        SegmentFiles files = SegmentFiles.of(TestArchive.partitionDir(local.resolve("w1"), TOPIC, 0), 0);
        backend.reset();
        assertTrue(store.isVerified(files, meta));
        assertEquals(List.of("list"), backend.calls.stream().map(RecordingBackend.Call::op).toList(),
                "one LIST proves the four objects are there");

        backend.delete(store.layout().keys(meta).offsetIndex()); // someone deleted it behind our back
        assertFalse(store.isVerified(files, meta));
        backend.reset();
        assertEquals(meta.offsetIndex().size(), store.upload(files, meta), "only the missing object is sent");
        assertEquals(1, backend.calls("upload").size(), backend.calls.toString());
        assertTrue(store.isVerified(files, meta));
    }

    @Test
    void aLocalFileThatDoesNotMatchItsMarkerIsNotUploaded() throws Exception {
        SegmentFiles files = TestArchive.seal(local, TOPIC, 0, 0, 100, "w1", clock.get());
        try (FileChannel ch = FileChannel.open(files.log(), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {42}), 100);
        }
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class,
                () -> store.upload(files, TestArchive.meta(files)));
        assertTrue(e.getMessage().contains(files.log().toString()), e.getMessage());
        assertTrue(backend.calls("upload").isEmpty());
    }

    @Test
    void aSegmentMissingFromTheManifestIsFoundWhenReadingAcrossItsGap() throws Exception {
        uploadAndRegister(0, 100, "w1");
        SegmentFiles lost = TestArchive.seal(local, TOPIC, 0, 100, 100, "w1", clock.get());
        store.upload(lost, TestArchive.meta(lost)); // writer crashed before registering
        uploadAndRegister(200, 100, "w1"); // the tail listing of this registration starts after 100's marker? no:
        // registration lists after listedThrough (0's marker), so it merges 100 as well. Remove it to simulate a
        // lost update on a store without conditional writes:
        SegmentManifest full = store.readManifest(TestArchive.partition(TOPIC, 0)).orElseThrow();
        assertTrue(full.contains(TestArchive.meta(lost)), "registration merged the unregistered marker");
        String key = store.layout().manifestKey(TestArchive.partition(TOPIC, 0));
        SegmentManifest lossy = new SegmentManifest(2, TOPIC, 0, full.clusterId(), full.topicId(), 0,
                full.listedThrough(),
                full.segments().stream().filter(s -> s.baseOffset() != 100).toList());
        backend.putIfMatch(key, lossy.toBytes(), backend.head(key).orElseThrow().etag());

        PartitionView view = store.view(TestArchive.partition(TOPIC, 0));
        assertEquals(2, view.segments().size());
        backend.reset();
        assertEquals(100, view.segmentFrom(100).orElseThrow().baseOffset(), "found by listing the gap");
        assertEquals(1, backend.calls("list").size(), backend.calls.toString());
        assertEquals(100, view.segmentFrom(150).orElseThrow().baseOffset());
        assertEquals(1, backend.calls("list").size(), "each gap is listed once");

        SegmentManifest rebuilt = store.rebuildManifest(TestArchive.partition(TOPIC, 0));
        assertEquals(List.of(0L, 100L, 200L), rebuilt.segments().stream().map(SegmentMetadata::baseOffset).toList());
    }

    @Test
    void anUnreadableManifestIsIgnoredByReadersAndRewrittenByTheNextRegistration() throws Exception {
        uploadAndRegister(0, 100, "w1");
        String key = store.layout().manifestKey(TestArchive.partition(TOPIC, 0));
        backend.putIfMatch(key, "{ not json".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                backend.head(key).orElseThrow().etag());
        assertEquals(100, store.view(TestArchive.partition(TOPIC, 0)).endOffset(), "found by listing the markers");
        uploadAndRegister(100, 100, "w1");
        assertEquals(2, store.readManifest(TestArchive.partition(TOPIC, 0)).orElseThrow().segments().size());
    }

    @Test
    void aMarkerDescribingAnotherSegmentThanItsKeyIsRefusedNamingIt() throws Exception {
        SegmentMetadata meta = uploadAndRegister(0, 100, "w1");
        String key = store.layout().keys(meta).marker();
        String other = new String(backend.fetchAll(key), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"" + TOPIC + "\"", "\"../../elsewhere\"");
        backend.putIfMatch(key, other.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                backend.head(key).orElseThrow().etag());
        backend.delete(store.layout().manifestKey(TestArchive.partition(TOPIC, 0))); // readers list the markers
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> store.view(TestArchive.partition(TOPIC, 0)));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains("of ../../elsewhere-0")
                && e.getMessage().contains("not the one its key names"), e.getMessage());
    }

    @Test
    void aManifestListingAnotherPartitionsSegmentsIsIgnored() throws Exception {
        uploadAndRegister(0, 100, "w1");
        String key = store.layout().manifestKey(TestArchive.partition(TOPIC, 0));
        SegmentManifest manifest = store.readManifest(TestArchive.partition(TOPIC, 0)).orElseThrow();
        SegmentMetadata s = manifest.segments().get(0);
        SegmentMetadata foreign = new SegmentMetadata(s.formatVersion(), "other", s.partition(), s.baseOffset(),
                s.lastOffset(), s.recordCount(), s.firstTimestamp(), s.maxTimestamp(), s.codec(), s.writerId(),
                s.sealedAtMs(), s.log(), s.offsetIndex(), s.timeIndex(), s.clusterId(), s.topicId(), s.startOffset(),
                s.destination());
        backend.putIfMatch(key, new SegmentManifest(2, TOPIC, 0, manifest.clusterId(), manifest.topicId(), 0,
                manifest.listedThrough(), List.of(foreign))
                .toBytes(), backend.head(key).orElseThrow().etag());
        PartitionView view = store.view(TestArchive.partition(TOPIC, 0));
        assertEquals(TOPIC, view.segmentFrom(0).orElseThrow().topic(), "read from the marker, not the manifest");
    }

    @Test
    void overlappingSegmentsOfTwoWritersAreReadOnce() throws Exception {
        uploadAndRegister(0, 100, "old");
        uploadAndRegister(50, 100, "new");   // 50..149: a zombie wrote 0..99 while the new owner restarted at 50
        uploadAndRegister(100, 100, "old");  // 100..199
        PartitionView view = store.view(TestArchive.partition(TOPIC, 0));
        assertEquals("old", view.segmentFrom(0).orElseThrow().writerId());
        assertEquals(199, view.segmentFrom(100).orElseThrow().lastOffset(), "the one reaching furthest");
        assertEquals(200, view.endOffset());
    }

    @Test
    void writerIdsWithAnyCharacterMakeSafeKeys() throws Exception {
        SegmentMetadata meta = uploadAndRegister(0, 10, "my connector/0 é");
        String marker = store.layout().keys(meta).marker();
        assertTrue(marker.endsWith("/00000000000000000000-my%20connector%2F0%20%C3%A9/00000000000000000000.json"),
                marker);
        assertEquals("my connector/0 é", store.view(TestArchive.partition(TOPIC, 0)).segmentFrom(0).orElseThrow().writerId());
        assertEquals(1, store.rebuildManifest(TestArchive.partition(TOPIC, 0)).segments().size());
    }

    @Test
    void twoConcurrentWritersLoseNoManifestEntry() throws Exception {
        int perWriter = 8;
        List<List<SegmentMetadata>> batches = new ArrayList<>();
        for (String writer : List.of("a", "b")) {
            List<SegmentMetadata> metas = new ArrayList<>();
            for (int i = 0; i < perWriter; i++) {
                long base = (writer.equals("a") ? 0 : 10_000) + i * 10L;
                SegmentFiles files = TestArchive.seal(local.resolve(writer), TOPIC, 0, base, 10, writer, clock.get());
                SegmentMetadata meta = TestArchive.meta(files);
                store.upload(files, meta);
                metas.add(meta);
            }
            batches.add(metas);
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<Void>> jobs = new ArrayList<>();
            for (List<SegmentMetadata> metas : batches) {
                jobs.add(() -> {
                    for (SegmentMetadata m : metas) {
                        store.register(TestArchive.partition(TOPIC, 0), List.of(m));
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(jobs)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        SegmentManifest manifest = store.readManifest(TestArchive.partition(TOPIC, 0)).orElseThrow();
        assertEquals(2 * perWriter, manifest.segments().size(), "every registration survived");
        assertFalse(backend.calls("put").isEmpty());
    }
}
