package io.tieredarchive.tier;

import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.storage.S3StorageBackend;
import io.tieredarchive.tier.storage.StorageBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@link ArchiveReader} on a real S3 server (S3Proxy): ranged GETs over HTTP. */
class ArchiveReaderOnS3Test extends AbstractArchiveReaderTest {

    private static final String BUCKET = "reader";

    @TempDir
    static Path serverDir;
    private static S3ProxyServer s3;
    private static StorageBackend shared;

    @BeforeAll
    static void startServer() {
        s3 = S3ProxyServer.startIn(serverDir);
        shared = S3StorageBackend.create(S3TestConnections.create(s3, BUCKET));
    }

    @AfterAll
    static void stopServer() {
        shared.close();
        s3.stop();
    }

    @Override
    protected StorageBackend createBackend(Path tempDir) {
        return shared;
    }

    @Override
    protected void release(StorageBackend used) {
        // closed once, after the last test
    }

    @Override
    protected Path objectFile(Path tempDir, String key) {
        return s3.bucketDir(BUCKET).resolve(key);
    }
}
