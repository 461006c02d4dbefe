package io.tieredarchive.tier.storage;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import static io.tieredarchive.tier.storage.StorageBackendContractTest.crc32c;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The storage contract on a local directory, plus what only a directory can get wrong. */
class FileSystemStorageBackendTest extends StorageBackendContractTest {

    private Path bucketDir;

    @Override
    protected StorageBackend createBackend(Path tempDir) throws Exception {
        bucketDir = tempDir.resolve("bucket");
        return new FileSystemStorageBackend(bucketDir);
    }

    /** The folder that plays the bucket, deleted after the backend was made. */
    @Override
    protected StorageBackend createBackendWithoutBucket(Path tempDir) throws Exception {
        Path gone = tempDir.resolve("gone-bucket");
        StorageBackend backend = new FileSystemStorageBackend(gone);
        try (Stream<Path> walk = Files.walk(gone)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        return backend;
    }

    @Override
    protected long partSizeBytes() {
        return -1;
    }

    @Test
    void keysThatEscapeTheDirectoryAreRefused() throws Exception {
        try (FileSystemStorageBackend fs = new FileSystemStorageBackend(bucketDir)) {
            Path f = Files.write(bucketDir.resolveSibling("f"), new byte[] {1});
            for (String bad : new String[] {"../x", "a/../../x", "/abs", "a//b", "a/", ".tiered-archive-metadata/x"}) {
                StorageException e = assertThrows(StorageException.class,
                        () -> fs.upload(bad, f, crc32c(f), Map.of()), bad);
                assertTrue(e.getMessage().contains(bad), e.getMessage());
            }
        }
    }

    @Test
    void objectsAreFilesUnderTheDirectoryAndTemporaryFilesAreNotListed() throws Exception {
        try (FileSystemStorageBackend fs = new FileSystemStorageBackend(bucketDir)) {
            Path f = Files.write(bucketDir.resolveSibling("g"), new byte[] {1, 2, 3});
            fs.upload("t/0/x.log", f, crc32c(f), Map.of());
            assertEquals(3, Files.size(bucketDir.resolve("t/0/x.log")));
            Files.write(bucketDir.resolve(".tiered-archive-metadata/tmp/leftover"), new byte[] {9});
            assertEquals(1, fs.listAll("", null).size());
        }
    }
}
