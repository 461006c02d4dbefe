package io.tieredarchive.tier.read;

import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import io.tieredarchive.tier.storage.StorageBackend;

import java.nio.file.Path;

/** {@link ArchiveReader} on a local-directory store. */
class ArchiveReaderTest extends AbstractArchiveReaderTest {

    @Override
    protected StorageBackend createBackend(Path tempDir) {
        return new FileSystemStorageBackend(tempDir.resolve("bucket"));
    }

    @Override
    protected Path objectFile(Path tempDir, String key) {
        return tempDir.resolve("bucket").resolve(key);
    }
}
