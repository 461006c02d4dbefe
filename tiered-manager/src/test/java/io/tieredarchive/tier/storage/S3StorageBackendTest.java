package io.tieredarchive.tier.storage;

import io.tieredarchive.testing.SharedS3Backend;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

/** The storage contract on a real S3 server (S3Proxy), through the SDK's multipart client and transfer manager. */
class S3StorageBackendTest extends StorageBackendContractTest {

    private static final long PART_SIZE = 5L * 1024 * 1024;

    @RegisterExtension
    static final SharedS3Backend S3 = new SharedS3Backend("contract", PART_SIZE);

    @Override
    protected StorageBackend createBackend(Path tempDir) {
        return S3.backend();
    }

    @Override
    protected boolean sharedBackend() {
        return true;
    }

    @Override
    protected long partSizeBytes() {
        return PART_SIZE;
    }
}
