package io.tieredarchive.dr;

import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import io.tieredarchive.tier.storage.StorageBackend;

import java.nio.file.Path;

/** {@link ArchiveSnapshots} on a local directory. */
class ArchiveSnapshotsTest extends AbstractArchiveSnapshotsTest {

    @Override
    protected StorageBackend createBackend(Path tempDir) {
        return new FileSystemStorageBackend(tempDir.resolve("bucket"));
    }
}
