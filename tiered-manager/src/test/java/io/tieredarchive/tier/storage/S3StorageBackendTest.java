package io.tieredarchive.tier.storage;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.failure.FailureKind;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.SharedS3Backend;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The storage contract on a real S3 server (S3Proxy), through the SDK's multipart client and transfer manager. */
class S3StorageBackendTest extends StorageBackendContractTest {

    private static final long PART_SIZE = 5L * 1024 * 1024;

    @RegisterExtension
    static final SharedS3Backend S3 = new SharedS3Backend("contract", PART_SIZE);

    @Override
    protected StorageBackend createBackend(Path tempDir) {
        return S3.backend();
    }

    /**
     * With the SDK's retries (3 attempts): S3Proxy may answer a PUT in a missing bucket before it reads the body
     * and close the connection, which the SDK reports as a broken connection and retries, as it would on AWS.
     */
    @Override
    protected StorageBackend createBackendWithoutBucket(Path tempDir) {
        S3ProxyServer server = S3.server();
        return S3StorageBackend.create(new S3Connection("no-such-bucket-" + UUID.randomUUID(), "", "us-east-1",
                server.endpoint(), true, server.accessKey(), new Password(server.secretKey()),
                S3Connection.ChecksumMode.WHEN_SUPPORTED, null, S3Connection.Sse.NONE, null, PART_SIZE, 8, 3));
    }

    /** Wrong credentials are {@link FailureKind#ACCESS_DENIED}, whatever the operation. */
    @Test
    void wrongCredentialsAreAccessDenied() throws Exception {
        S3ProxyServer server = S3.server();
        try (StorageBackend denied = S3StorageBackend.create(new S3Connection("contract", "", "us-east-1",
                server.endpoint(), true, server.accessKey(), new Password("not-the-secret"),
                S3Connection.ChecksumMode.WHEN_SUPPORTED, null, S3Connection.Sse.NONE, null, PART_SIZE, 8, 1))) {
            StorageException list = assertThrows(StorageException.class, () -> denied.list("", null, 1));
            assertEquals(FailureKind.ACCESS_DENIED, list.kind(), list.getMessage());
            StorageException get = assertThrows(StorageException.class, () -> denied.get("any.json"));
            assertEquals(FailureKind.ACCESS_DENIED, get.kind(), get.getMessage());
            assertFalse(list.getMessage().contains("not-the-secret"), list.getMessage());
        }
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
