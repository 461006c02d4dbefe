package io.tieredarchive.tier.read;

import io.tieredarchive.testing.SharedS3Backend;
import io.tieredarchive.tier.storage.StorageBackend;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

/** {@link ArchiveReader} on a real S3 server (S3Proxy): ranged GETs over HTTP. */
class ArchiveReaderOnS3Test extends AbstractArchiveReaderTest {

    @RegisterExtension
    static final SharedS3Backend S3 = new SharedS3Backend("reader", 8L << 20);

    @Override
    protected StorageBackend createBackend(Path tempDir) {
        return S3.backend();
    }

    @Override
    protected boolean sharedBackend() {
        return true;
    }

    @Override
    protected Path objectFile(Path tempDir, String key) {
        return S3.objectFile(key);
    }
}
