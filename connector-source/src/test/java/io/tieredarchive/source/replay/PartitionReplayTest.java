package io.tieredarchive.source.replay;

import io.tieredarchive.testing.Closing;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.source.testing.TestArchives;
import io.tieredarchive.tier.ForwardingBackend;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import io.tieredarchive.tier.storage.StorageBackend;
import io.tieredarchive.tier.storage.StorageException;
import io.tieredarchive.tier.remote.ArchivePartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ranges at segment boundaries, against a real archive on the file-system backend. Partition 0 holds segments
 * [0, 99], [100, 199] and, after a gap, [250, 349]; record o has timestamp T0 + 10 o, except offset 150, which is
 * older than its neighbours (T0 + 500).
 */
class PartitionReplayTest {

    private static final String TOPIC = "orders";
    private static final ArchivePartition TP = ArchivePartition.legacy(TOPIC, 0);
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path tempDir;
    private CountingBackend backend;
    private RemoteSegmentStore store;
    private ArchiveReader reader;
    private TestReplayMetrics metrics;
    private final List<ArchivedRecord> archived = new ArrayList<>();
    private List<SegmentMetadata> segments;

    @BeforeEach
    void setUp() throws Exception {
        backend = new CountingBackend(new FileSystemStorageBackend(tempDir.resolve("bucket")));
        store = new RemoteSegmentStore(backend, "arch", () -> T0);
        segments = new ArrayList<>();
        segments.addAll(archive(0, 100));
        segments.addAll(archive(100, 200));
        segments.addAll(archive(250, 350));
        reader = new ArchiveReader(store, null, null, new ArchiveReader.Options(16 * 1024, 2, 2, 10));
        metrics = new TestReplayMetrics();
    }

    @AfterEach
    void tearDown() throws Exception {
        Closing.closeAll(reader, store, metrics);
    }

    private List<SegmentMetadata> archive(long from, long to) throws SegmentException {
        List<ArchivedRecord> records = new ArrayList<>();
        for (long o = from; o < to; o++) {
            long ts = o == 150 ? T0 + 500 : T0 + o * 10;
            records.add(new ArchivedRecord(o, ts, TimestampType.CREATE_TIME,
                    ("k" + o).getBytes(StandardCharsets.UTF_8),
                    ("value-" + o).repeat(8).getBytes(StandardCharsets.UTF_8),
                    new org.apache.kafka.common.header.Header[] {
                        new org.apache.kafka.common.header.internals.RecordHeader("h", new byte[] {(byte) o})}));
        }
        archived.addAll(records);
        return TestArchives.archive(store, tempDir.resolve("local"), TOPIC, 0, records, 100);
    }

    private PartitionReplay replay(ReplayRange range, Long stored, boolean follow, boolean skip) {
        return new PartitionReplay(TP, "orders.restored", true, stored, new ReplaySettings(range, follow, 10, skip, 60_000),
                reader, metrics.replay);
    }

    /** Polls until the partition is done; returns the original offsets of the records produced. */
    private static List<Long> drain(PartitionReplay p) throws SegmentException {
        List<Long> offsets = new ArrayList<>();
        for (int polls = 0; p.state() != PartitionReplay.State.DONE; polls++) {
            assertTrue(polls < 1000, "never done");
            ReplayBatch batch = new ReplayBatch(64, 1 << 20);
            p.fill(batch, System.currentTimeMillis());
            batch.records().forEach(r -> offsets.add((Long) r.sourceOffset().get(ReplayRecords.OFFSET) - 1));
        }
        return offsets;
    }

    private static List<Long> offsets(long from, long to) {
        return TestArchives.offsets(from, to);
    }

    private static List<Long> concat(List<Long> a, List<Long> b) {
        List<Long> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    private long segmentsOpened() {
        return reader.stats().rangedSegments();
    }

    @Test
    void everythingInOrderAcrossTheGapWithEveryField() throws Exception {
        PartitionReplay p = replay(ReplayRange.ALL, null, false, false);
        ReplayBatch batch = new ReplayBatch(1000, 1 << 20);
        p.fill(batch, System.currentTimeMillis());
        assertEquals(300, batch.size());
        for (int i = 0; i < 300; i++) {
            SourceRecord r = batch.records().get(i);
            ArchivedRecord a = archived.get(i);
            assertEquals("orders.restored", r.topic());
            assertEquals(0, r.kafkaPartition());
            assertEquals(Map.of("topic", TOPIC, "partition", 0), r.sourcePartition());
            assertEquals(Map.of("offset", a.offset() + 1), r.sourceOffset());
            assertEquals(Schema.OPTIONAL_BYTES_SCHEMA, r.keySchema());
            assertArrayEquals(a.key(), (byte[]) r.key());
            assertArrayEquals(a.value(), (byte[]) r.value());
            assertEquals(a.timestamp(), r.timestamp());
            Header h = r.headers().lastWithName("h");
            assertArrayEquals(a.headers()[0].value(), (byte[]) h.value());
        }
        assertEquals(concat(offsets(0, 200), offsets(250, 350)), drain(replay(ReplayRange.ALL, null, false, false)));
    }

    @Test
    void noRequestPerRecord() throws Exception {
        backend.logFetches.set(0);
        assertEquals(300, drain(replay(ReplayRange.ALL, null, false, false)).size());
        long logBytes = segments.stream().mapToLong(m -> m.log().size()).sum();
        long chunks = segments.stream().mapToLong(m -> (m.log().size() + 16 * 1024 - 1) / (16 * 1024)).sum();
        assertEquals(chunks, backend.logFetches.get(), "one ranged GET per 16 KiB chunk of the .log files ("
                + logBytes + " bytes), for 300 records");
    }

    @Test
    void offsetWindowsInsideAndAtSegmentBoundaries() throws Exception {
        assertEquals(offsets(50, 150), drain(replay(new ReplayRange(50L, 150L, null, null), null, false, false)));
        assertEquals(offsets(100, 200), drain(replay(new ReplayRange(100L, 200L, null, null), null, false, false)));
        assertEquals(offsets(0, 100), drain(replay(new ReplayRange(null, 100L, null, null), null, false, false)));
        assertEquals(offsets(250, 350), drain(replay(new ReplayRange(200L, null, null, null), null, false, false)),
                "a start in the gap begins at the next record");
        assertEquals(offsets(100, 200), drain(replay(new ReplayRange(100L, 220L, null, null), null, false, false)),
                "an end in the gap");
        assertEquals(List.of(), drain(replay(new ReplayRange(400L, null, null, null), null, false, false)));
    }

    @Test
    void anEndAtASegmentBoundaryNeverOpensTheSegmentAfter() throws Exception {
        drain(replay(new ReplayRange(null, 100L, null, null), null, false, false));
        assertEquals(1, segmentsOpened(), "segment 100 lies past the end");
        drain(replay(new ReplayRange(100L, 230L, null, null), null, false, false));
        assertEquals(2, segmentsOpened(), "segment 250 lies past the end");
        drain(replay(new ReplayRange(null, null, null, T0 + 1000), null, false, false));
        assertEquals(3, segmentsOpened(), "segment 100's first record is at the end time");
    }

    @Test
    void timeWindowsFollowKafkasOffsetsForTimes() throws Exception {
        assertEquals(offsets(100, 200), drain(replay(new ReplayRange(null, null, T0 + 1000, T0 + 2000), null,
                false, false)), "offset 150 (older than the start) lies inside the offsets found, so it is replayed");
        assertEquals(offsets(0, 100), drain(replay(new ReplayRange(null, null, null, T0 + 1000), null, false,
                false)));
        assertEquals(concat(offsets(120, 200), offsets(250, 260)), drain(replay(new ReplayRange(null, null,
                T0 + 1195, T0 + 2600), null, false, false)), "start inside a segment, end after the gap");
        assertEquals(List.of(), drain(replay(new ReplayRange(null, null, T0 + 10_000, null), null, false, false)));
        assertEquals(offsets(100, 130), drain(replay(new ReplayRange(null, 130L, T0 + 1000, null), null, false,
                false)), "start by time, end by offset");
    }

    @Test
    void aStoredOffsetWinsOverTheConfiguredStart() throws Exception {
        assertEquals(offsets(120, 150), drain(replay(new ReplayRange(50L, 150L, null, null), 120L, false, false)));
        assertEquals(offsets(180, 200), drain(replay(new ReplayRange(null, 200L, T0, null), 180L, false, false)));
        assertEquals(List.of(), drain(replay(new ReplayRange(null, 150L, null, null), 150L, false, false)));
    }

    @Test
    void followPicksUpNewlyArchivedSegments() throws Exception {
        PartitionReplay p = replay(ReplayRange.ALL, null, true, false);
        List<Long> got = new ArrayList<>();
        long now = System.currentTimeMillis();
        ReplayBatch batch = new ReplayBatch(1000, 1 << 20);
        p.fill(batch, now);
        batch.records().forEach(r -> got.add((Long) r.sourceOffset().get("offset") - 1));
        assertEquals(PartitionReplay.State.WAITING, p.state());
        archive(350, 420);
        Thread.sleep(20); // the cursor looks again after its refresh interval
        ReplayBatch early = new ReplayBatch(1000, 1 << 20);
        p.fill(early, now + 5);
        assertTrue(early.isEmpty(), "still waiting");
        ReplayBatch later = new ReplayBatch(1000, 1 << 20);
        p.fill(later, now + 11);
        later.records().forEach(r -> got.add((Long) r.sourceOffset().get("offset") - 1));
        assertEquals(concat(concat(offsets(0, 200), offsets(250, 350)), offsets(350, 420)), got);
        assertEquals(PartitionReplay.State.WAITING, p.state());
        p.close();
    }

    @Test
    void followingFromATimeNotYetArchivedStartsAtTheFirstRecordAtOrAfterIt() throws Exception {
        PartitionReplay p = replay(new ReplayRange(null, null, T0 + 4000, null), null, true, false);
        ReplayBatch nothing = new ReplayBatch(1000, 1 << 20);
        long now = System.currentTimeMillis();
        p.fill(nothing, now);
        assertTrue(nothing.isEmpty());
        assertEquals(PartitionReplay.State.WAITING, p.state());
        archive(350, 450); // timestamps T0 + 3500 to T0 + 4490
        Thread.sleep(20);
        ReplayBatch batch = new ReplayBatch(1000, 1 << 20);
        p.fill(batch, now + 11);
        List<Long> got = batch.records().stream().map(r -> (Long) r.sourceOffset().get("offset") - 1).toList();
        assertEquals(offsets(400, 450), got, "the archived records older than the start are not replayed");
        p.close();
    }

    @Test
    void aCorruptSegmentFailsNamingTheObjectOrIsSkippedWhole() throws Exception {
        Path log = segmentObject(100, ".log");
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
            f.seek(70); // inside the first batch's records: its CRC fails
            f.write(f.read() ^ 0xff);
        }
        PartitionReplay strict = replay(ReplayRange.ALL, null, false, false);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> drain(strict));
        assertTrue(e.getMessage().contains("arch/orders/0/00000000000000000100-" + TestArchives.WRITER + ".log"),
                e.getMessage());
        assertEquals("orders-0 at offset 100", strict.position());

        assertEquals(concat(offsets(0, 100), offsets(250, 350)), drain(replay(ReplayRange.ALL, null, false, true)),
                "records of the corrupt segment are left out, nothing else");
        assertEquals(1.0, metricValue("segments-skipped-total"));
    }

    @Test
    void aMissingObjectIsABadSegmentToo() throws Exception {
        Files.delete(segmentObject(100, ".log"));
        assertThrows(SegmentException.class, () -> drain(replay(new ReplayRange(150L, null, null, null), null,
                false, false)));
        assertEquals(offsets(250, 350), drain(replay(new ReplayRange(150L, null, null, null), null, false, true)));
    }

    @Test
    void lagCountsOffsetsLeftInRange() throws Exception {
        PartitionReplay p = replay(new ReplayRange(null, 300L, null, null), null, false, false);
        ReplayBatch batch = new ReplayBatch(50, 1 << 20);
        p.fill(batch, System.currentTimeMillis());
        assertEquals(250, p.lag(), "offsets 50 to 299, the gap included");
        drain(p);
        assertEquals(0, p.lag());
    }

    /** The file-system backend, counting the ranged reads of {@code .log} objects. */
    private static final class CountingBackend extends ForwardingBackend {
        final AtomicInteger logFetches = new AtomicInteger();

        CountingBackend(StorageBackend inner) {
            super(inner);
        }

        @Override
        public byte[] fetch(String key, long position, int length) throws StorageException {
            if (key.endsWith(".log")) {
                logFetches.incrementAndGet();
            }
            return super.fetch(key, position, length);
        }
    }

    private Object metricValue(String name) {
        return metrics.registry.metrics().entrySet().stream().filter(e -> e.getKey().name().equals(name))
                .findFirst().orElseThrow().getValue().metricValue();
    }

    private Path segmentObject(long base, String suffix) throws Exception {
        Path dir = tempDir.resolve("bucket/arch/orders/0");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(String.format("%020d-", base))
                    && f.getFileName().toString().endsWith(suffix)).findFirst().orElseThrow();
        }
    }
}
