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
    private static StorageBackend shared;

    @BeforeAll
    static void startServer() {
        s3 = S3ProxyServer.startIn(serverDir);
        S3Connection connection = S3TestConnections.withPartSize(S3TestConnections.create(s3, "contract"),
                PART_SIZE);
        shared = S3StorageBackend.create(connection);
    }

    @AfterAll
    static void stopServer() {
        shared.close();
        s3.stop();
    }

    @Override
    protected StorageBackend createBackend(Path tempDir) {
        return shared; // one client for the class: closing an SDK client takes seconds (Netty's quiet period)
    }

    @Override
    protected void release(StorageBackend used) {
        // closed once, after the last test
    }

    @Override
    protected long partSizeBytes() {
        return PART_SIZE;
    }
}
