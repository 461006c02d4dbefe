package io.tieredarchive.dr;

import io.tieredarchive.testing.SharedS3Backend;
import io.tieredarchive.tier.storage.StorageBackend;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

/** {@link ArchiveSnapshots} on a real S3 server (S3Proxy): If-None-Match writes and delimiter listings over HTTP. */
class ArchiveSnapshotsOnS3Test extends AbstractArchiveSnapshotsTest {

    @RegisterExtension
    static final SharedS3Backend S3 = new SharedS3Backend("snapshots", 8L << 20);

    @Override
    protected StorageBackend createBackend(Path tempDir) {
        return S3.backend();
    }

    @Override
    protected boolean sharedBackend() {
        return true;
    }
}
