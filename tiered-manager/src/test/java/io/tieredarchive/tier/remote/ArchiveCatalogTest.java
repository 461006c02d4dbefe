package io.tieredarchive.tier.remote;

import io.tieredarchive.tier.RecordingBackend;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchiveCatalogTest {

    @TempDir
    Path bucket;

    @Test
    void findsEveryTopicAndPartitionFolderWithOneListing() throws Exception {
        FileSystemStorageBackend backend = new FileSystemStorageBackend(bucket);
        String[] keys = {
            "arch/README.txt",
            "arch/a/0/00000000000000000000-w.log", "arch/a/0/00000000000000000000-w.json",
            "arch/a/0/00000000000000000100-w.json", "arch/a/0/manifest.json",
            "arch/a/1/00000000000000000000-w.json", "arch/a/10/00000000000000000000-w.json",
            "arch/a/2/00000000000000000000-w.json", "arch/a/notes/x",
            "arch/a-b/0/00000000000000000000-w.json", "arch/a.b/3/00000000000000000000-w.json",
            "arch/a0/0/x.json", "arch/b/0/x.json", "other/c/0/x.json",
        };
        for (String key : keys) {
            backend.putIfMatch(key, new byte[] {1}, null);
        }
        RecordingBackend counting = new RecordingBackend(backend);
        ArchiveCatalog catalog = new ArchiveCatalog(counting, new RemoteLayout("arch"));
        assertEquals(List.of("a", "a-b", "a.b", "a0", "b"), catalog.topics());
        assertEquals(1, counting.calls("folders").size());
        counting.reset();
        assertEquals(List.of(0, 1, 2, 10), catalog.partitions("a", Incarnation.LEGACY), "'notes' is not a partition");
        assertEquals(1, counting.calls("folders").size());
        assertEquals(List.of(3), catalog.partitions("a.b", Incarnation.LEGACY));
        assertEquals(List.of(), catalog.partitions("missing", Incarnation.LEGACY));
        assertEquals(List.of(Incarnation.LEGACY), catalog.incarnations("a").stream()
                .map(ArchiveCatalog.Entry::incarnation).toList());
        assertEquals(List.of(), catalog.incarnations("missing"));
        assertEquals("arch/missing/", catalog.location("missing"));
        backend.close();
    }

    @Test
    void anArchiveAtTheBucketRoot() throws Exception {
        FileSystemStorageBackend backend = new FileSystemStorageBackend(bucket);
        backend.putIfMatch("orders/0/00000000000000000000-w.json", new byte[] {1}, null);
        backend.putIfMatch("orders/3/00000000000000000000-w.json", new byte[] {1}, null);
        ArchiveCatalog catalog = new ArchiveCatalog(backend, new RemoteLayout(""));
        assertEquals(List.of("orders"), catalog.topics());
        assertEquals(List.of(0, 3), catalog.partitions("orders", Incarnation.LEGACY));
        backend.close();
    }

    @Test
    void incarnationsComeLegacyFirstThenByCreationTime() throws Exception {
        FileSystemStorageBackend backend = new FileSystemStorageBackend(bucket);
        RemoteLayout layout = new RemoteLayout("arch");
        Incarnation first = new Incarnation("cluster-A", "topicA1");
        Incarnation second = new Incarnation("cluster-A", "topicA2");
        Incarnation other = new Incarnation("cluster/B", "topicB1"); // an odd cluster id is encoded in the folder
        backend.putIfMatch("arch/t/0/00000000000000000000-w.json", new byte[] {1}, null);
        for (Incarnation i : List.of(second, other, first)) {
            backend.putIfMatch(layout.partitionPrefix(new ArchivePartition("t", i, 2)) + "x", new byte[] {1}, null);
        }
        backend.putIfMatch(layout.incarnationKey("t", first), IncarnationInfo.of("t", first, 1_000).toBytes(), null);
        backend.putIfMatch(layout.incarnationKey("t", second), IncarnationInfo.of("t", second, 3_000).toBytes(), null);
        backend.putIfMatch(layout.incarnationKey("t", other), IncarnationInfo.of("t", other, 2_000).toBytes(), null);
        ArchiveCatalog catalog = new ArchiveCatalog(backend, layout);
        List<ArchiveCatalog.Entry> all = catalog.incarnations("t");
        assertEquals(List.of(Incarnation.LEGACY, first, other, second),
                all.stream().map(ArchiveCatalog.Entry::incarnation).toList());
        assertEquals(List.of(2), catalog.partitions("t", other));
        assertEquals(List.of(0), catalog.partitions("t", Incarnation.LEGACY));
        assertEquals(second, IncarnationSelection.LATEST_ONE.select(all).get(0).incarnation());
        assertEquals(other, catalog.resolve("t", 2, new IncarnationSelection(other.id())).incarnation());
        assertEquals(first, catalog.resolve("t", 2, new IncarnationSelection("topicA1")).incarnation());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> catalog.resolve("t", 2, new IncarnationSelection("nope")));
        assertTrue(none.getMessage().contains(other.id()) && none.getMessage().contains("legacy"), none.getMessage());
        backend.close();
    }
}
