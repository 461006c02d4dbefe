package io.tieredarchive.testing;

import io.tieredarchive.tier.storage.S3StorageBackend;
import io.tieredarchive.tier.storage.StorageBackend;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An S3Proxy server and one {@link S3StorageBackend} on a bucket of it, shared by the tests of a class (closing an
 * SDK client takes seconds: Netty's quiet period). Use as
 * {@code @RegisterExtension static final SharedS3Backend s3 = new SharedS3Backend("bucket", partSize);}.
 */
public final class SharedS3Backend implements BeforeAllCallback, AfterAllCallback, BackendUnderTest {

    private final String bucket;
    private final long partSize;
    private Path dir;
    private S3ProxyServer server;
    private StorageBackend backend;

    public SharedS3Backend(String bucket, long partSize) {
        this.bucket = bucket;
        this.partSize = partSize;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("s3proxy-" + bucket);
        server = S3ProxyServer.startIn(dir);
        backend = S3StorageBackend.create(S3TestConnections.withPartSize(S3TestConnections.create(server, bucket),
                partSize));
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        backend.close();
        server.stop();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public StorageBackend backend() {
        return backend;
    }

    @Override
    public StorageBackend backend(Path tempDir) {
        return backend;
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public Path objectFile(Path tempDir, String key) {
        return objectFile(key);
    }

    /** The server, for a test that needs another connection to it. */
    public S3ProxyServer server() {
        return server;
    }

    /** The file in which S3Proxy keeps {@code key} of the bucket. */
    public Path objectFile(String key) {
        return server.bucketDir(bucket).resolve(key);
    }
}
