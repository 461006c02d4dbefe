package io.tieredarchive.tier.remote;

import io.tieredarchive.testing.SharedS3Backend;
import io.tieredarchive.tier.storage.StorageBackend;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

/** {@link RemoteSegmentStore} on a real S3 server (S3Proxy): conditional writes, listings and HEADs over HTTP. */
class RemoteSegmentStoreOnS3Test extends AbstractRemoteSegmentStoreTest {

    @RegisterExtension
    static final SharedS3Backend S3 = new SharedS3Backend("store", 8L << 20);

    @Override
    protected StorageBackend createBackend(Path tempDir) {
        return S3.backend();
    }

    @Override
    protected boolean sharedBackend() {
        return true;
    }
}
