package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.RecordingBackend;
import io.tieredarchive.tier.TestArchive;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.tieredarchive.tier.TestArchive.T0;
import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where many partitions' archives end, from one listing of their incarnation's folder: listed markers the caller
 * holds copies of are not read, the others come from the manifest; a listing past its page budget leaves the
 * partitions it did not reach to be asked one by one.
 */
class ArchiveEndsTest {

    @TempDir
    Path tmp;

    private RecordingBackend backend;
    private RemoteSegmentStore store;
    /** Per partition, the markers of its segments in the store, in offset order. */
    private final Map<Integer, List<SegmentMetadata>> stored = new HashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        backend = new RecordingBackend(new FileSystemStorageBackend(tmp.resolve("bucket")));
        store = new RemoteSegmentStore(backend, "arch", () -> T0);
        archive(0, 2);
        archive(1, 1);
        archive(3, 3);
        backend.reset();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    /** {@code segments} segments of 10 records each in partition {@code p}, uploaded and registered. */
    private void archive(int p, int segments) throws Exception {
        stored.put(p, TestArchive.archived(store, tmp.resolve("local"), TOPIC, p, segments));
    }

    private static ArchivePartition p(int partition) {
        return TestArchive.partition(TOPIC, partition);
    }

    private List<RecordingBackend.Call> readsOf(int partition) {
        String prefix = store.layout().partitionPrefix(p(partition));
        return backend.calls.stream().filter(c -> !c.op().equals("list") && c.key().startsWith(prefix)).toList();
    }

    @Test
    void oneListingAnswersEveryPartitionAndLocalCopiesAreNotReadAgain() throws Exception {
        Map<ArchivePartition, List<SegmentMetadata>> local = new LinkedHashMap<>();
        local.put(p(0), stored.get(0));                 // both segments still on the local disk
        local.put(p(1), List.of());                     // archived elsewhere
        local.put(p(2), List.of());                     // nothing archived
        local.put(p(3), stored.get(3).subList(0, 1));   // the first of three

        Map<ArchivePartition, ArchiveEnds.End> ends = new ArchiveEnds(store).of(local);

        assertEquals(20, ends.get(p(0)).endOffset());
        assertEquals(10, ends.get(p(1)).endOffset());
        assertEquals(-1, ends.get(p(2)).endOffset());
        assertEquals(30, ends.get(p(3)).endOffset());
        assertEquals(3, ends.get(p(3)).markers().size());
        assertEquals(1, backend.calls("list").size(), "one listing: " + backend.calls);
        assertEquals(List.of(), readsOf(0), "partition 0's markers are known locally");
        assertEquals(List.of(), readsOf(2), "partition 2 holds nothing");
        assertEquals(1, readsOf(1).size(), "partition 1: its manifest: " + readsOf(1));
        assertEquals(1, readsOf(3).size(), "partition 3: its manifest: " + readsOf(3));
    }

    @Test
    void aMarkerTheManifestDoesNotNameIsReadAndOneItNamesButTheStoreLostDoesNotCount() throws Exception {
        SegmentFiles files = TestArchive.seal(tmp.resolve("local"), TOPIC, 1, 10, 10, "w2", T0);
        store.upload(files, TestArchive.meta(files));   // uploaded, never registered (its writer crashed)
        store.backend().delete(store.layout().keys(stored.get(3).get(2)).marker());  // the store lost 20..29
        backend.reset();

        Map<ArchivePartition, ArchiveEnds.End> ends = new ArchiveEnds(store).of(Map.of(p(1), List.of(),
                p(3), List.of()));

        assertEquals(20, ends.get(p(1)).endOffset(), "the unregistered marker counts");
        assertEquals(20, ends.get(p(3)).endOffset(), "the manifest names 20..29, the store no longer holds it");
        assertEquals(2, ends.get(p(3)).markers().size());
    }

    @Test
    void aListingPastItsPageBudgetLeavesThePartitionsItDidNotReachToBeAskedAlone() throws Exception {
        Map<ArchivePartition, List<SegmentMetadata>> local = new LinkedHashMap<>();
        for (int p = 0; p < 4; p++) {
            local.put(p(p), stored.getOrDefault(p, List.of()));
        }

        // Pages of 3 keys, at most 4 of them (one per partition): partition 0's 9 keys are listed, not the rest.
        Map<ArchivePartition, ArchiveEnds.End> ends = new ArchiveEnds(store, 3, ArchiveEnds.GROUP_PARTITIONS).of(local);

        assertEquals(20, ends.get(p(0)).endOffset());
        assertEquals(10, ends.get(p(1)).endOffset());
        assertEquals(-1, ends.get(p(2)).endOffset());
        assertEquals(30, ends.get(p(3)).endOffset());
        String folder = store.layout().incarnationPrefix(TOPIC, TestArchive.INCARNATION);
        assertEquals(4, backend.calls("list").stream().filter(c -> c.key().equals(folder)).count(), backend.calls
                .toString());
        assertEquals(List.of(), readsOf(0), "reached by the listing, known locally");
        assertTrue(backend.calls("list").stream().anyMatch(c -> c.key().equals(store.layout().partitionPrefix(p(3)))),
                "partition 3 asked alone: " + backend.calls);
    }

    @Test
    void everyOpenedPartitionFallsUnderExactlyOnePrefixAndNoPrefixHoldsMoreThanItsShareWhereASplitCanTell() {
        List<String> existing = new ArrayList<>();
        for (int p = 0; p < 2000; p++) {
            existing.add(Integer.toString(p));
        }
        List<String> firstTask = existing.subList(0, 1000);
        List<String> secondTask = existing.subList(1000, 2000);

        List<String> first = ArchiveEnds.prefixes(firstTask, existing, ArchiveEnds.GROUP_PARTITIONS);
        List<String> second = ArchiveEnds.prefixes(secondTask, existing, ArchiveEnds.GROUP_PARTITIONS);

        // 1 holds 1111 folders (1, 10-19, 100-199, 1000-1999): split; 2 to 9 hold 111 each.
        assertEquals(List.of("0", "1/", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "2", "3", "4",
                "5", "6", "7", "8", "9"), first);
        assertEquals(List.of("10", "11", "12", "13", "14", "15", "16", "17", "18", "19"), second);
        for (List<String> opened : List.of(firstTask, secondTask)) {
            List<String> prefixes = opened == firstTask ? first : second;
            for (String p : opened) {
                assertEquals(1, prefixes.stream().filter(prefix -> (p + "/").startsWith(prefix)).count(), p);
            }
            for (String prefix : prefixes) {
                assertTrue(existing.stream().filter(e -> (e + "/").startsWith(prefix)).count()
                        <= ArchiveEnds.GROUP_PARTITIONS, prefix);
            }
        }
        assertEquals(List.of(""), ArchiveEnds.prefixes(List.of("0", "5"), List.of("0", "5", "9"), 200),
                "a folder of few partitions is listed whole");
    }
}
