package io.tieredarchive.tier.storage;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The storage contract on a real S3 server (S3Proxy), through the SDK's multipart client and transfer manager. */
class S3StorageBackendTest extends StorageBackendContractTest {

    private static final long PART_SIZE = 5L * 1024 * 1024;

    @TempDir
    static Path serverDir;
    private static S3ProxyServer s3;
    private static S3Connection connection;

    @BeforeAll
    static void startServer() {
        s3 = S3ProxyServer.startIn(serverDir);
        connection = S3TestConnections.withPartSize(S3TestConnections.create(s3, "contract"), PART_SIZE);
    }

    @AfterAll
    static void stopServer() {
        s3.stop();
    }

    @Override
    protected StorageBackend createBackend(Path tempDir) {
        return S3StorageBackend.create(connection);
    }

    @Override
    protected long partSizeBytes() {
        return PART_SIZE;
    }
}
