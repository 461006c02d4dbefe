package io.tieredarchive.tier.remote;

import io.tieredarchive.tier.remote.RemoteLayout;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import io.tieredarchive.tier.storage.FolderLister;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        AtomicInteger lists = new AtomicInteger();
        FolderLister counting = prefix -> {
            lists.incrementAndGet();
            return backend.listFolders(prefix);
        };
        ArchiveCatalog catalog = new ArchiveCatalog(counting, new RemoteLayout("arch"));
        assertEquals(List.of("a", "a-b", "a.b", "a0", "b"), catalog.topics());
        assertEquals(1, lists.get());
        lists.set(0);
        assertEquals(List.of(0, 1, 2, 10), catalog.partitions("a"), "'notes' is not a partition");
        assertEquals(1, lists.get());
        assertEquals(List.of(3), catalog.partitions("a.b"));
        assertEquals(List.of(), catalog.partitions("missing"));
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
        assertEquals(List.of(0, 3), catalog.partitions("orders"));
        backend.close();
    }
}
