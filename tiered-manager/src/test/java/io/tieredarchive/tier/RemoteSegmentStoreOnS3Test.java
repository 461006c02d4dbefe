package io.tieredarchive.tier;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.storage.S3StorageBackend;
import io.tieredarchive.tier.storage.StorageBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@link RemoteSegmentStore} on a real S3 server (S3Proxy): conditional writes, listings and HEADs over HTTP. */
class RemoteSegmentStoreOnS3Test extends AbstractRemoteSegmentStoreTest {

    @TempDir
    static Path serverDir;
    private static S3ProxyServer s3;
    private static StorageBackend shared;

    @BeforeAll
    static void startServer() {
        s3 = S3ProxyServer.startIn(serverDir);
        S3Connection connection = S3TestConnections.create(s3, "store");
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
}
