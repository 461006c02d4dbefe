package io.tieredarchive.tier.remote;

import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import io.tieredarchive.tier.storage.StorageBackend;

import java.nio.file.Path;

/** {@link RemoteSegmentStore} on a local directory. */
class RemoteSegmentStoreTest extends AbstractRemoteSegmentStoreTest {

    @Override
    protected StorageBackend createBackend(Path tempDir) {
        return new FileSystemStorageBackend(tempDir.resolve("bucket"));
    }
}
