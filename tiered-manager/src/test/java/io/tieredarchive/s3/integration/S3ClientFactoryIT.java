package io.tieredarchive.s3.integration;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.S3ProxyServer;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The factory's clients against a real S3 server (S3Proxy, path-style, static keys). */
class S3ClientFactoryIT {

    @TempDir
    static Path tmp;
    private static S3ProxyServer server;

    @BeforeAll
    static void start() {
        server = S3ProxyServer.startIn(tmp);
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(server);
    }

    private static S3Connection connection(String secret, S3Connection.ChecksumMode mode) {
        return new S3Connection("factory-it", "", "us-east-1", server.endpoint(), true, S3ProxyServer.ACCESS_KEY,
                new Password(secret), mode, null, S3Connection.Sse.NONE, null, 5L << 20, 4, 2);
    }

    @Test
    void writesAndReadsWithEitherChecksumModeAndTheUploadClient() {
        try (S3AsyncClient plain = S3ClientFactory.asyncClient(
                     connection(S3ProxyServer.SECRET_KEY, S3Connection.ChecksumMode.WHEN_SUPPORTED));
             S3AsyncClient required = S3ClientFactory.asyncClient(
                     connection(S3ProxyServer.SECRET_KEY, S3Connection.ChecksumMode.WHEN_REQUIRED));
             S3AsyncClient upload = S3ClientFactory.uploadClient(
                     connection(S3ProxyServer.SECRET_KEY, S3Connection.ChecksumMode.WHEN_REQUIRED))) {
            plain.createBucket(b -> b.bucket("factory-it")).join();
            byte[] small = "hello".getBytes();
            plain.putObject(b -> b.bucket("factory-it").key("a").metadata(Map.of("k", "v")),
                    AsyncRequestBody.fromBytes(small)).join();
            required.putObject(b -> b.bucket("factory-it").key("b"), AsyncRequestBody.fromBytes(small)).join();
            assertArrayEquals(small, required.getObject(b -> b.bucket("factory-it").key("a"),
                    AsyncResponseTransformer.toBytes()).join().asByteArray());

            byte[] large = new byte[(12 << 20) + 5];
            new Random(3).nextBytes(large);
            upload.putObject(b -> b.bucket("factory-it").key("large"), AsyncRequestBody.fromBytes(large)).join();
            String etag = plain.headObject(b -> b.bucket("factory-it").key("large")).join().eTag();
            assertFalse(etag.contains("-"), "one request, no SDK multipart: " + etag);
            assertArrayEquals(large, plain.getObject(b -> b.bucket("factory-it").key("large"),
                    AsyncResponseTransformer.toBytes()).join().asByteArray());
        }
    }

    @Test
    void wrongSecretIsRefused() {
        try (S3AsyncClient client = S3ClientFactory.asyncClient(
                connection("not-the-secret", S3Connection.ChecksumMode.WHEN_SUPPORTED))) {
            CompletionException e = assertThrows(CompletionException.class,
                    () -> client.listBuckets().join());
            assertEquals(403, assertInstanceOf(S3Exception.class, e.getCause()).statusCode(),
                    Arrays.toString(e.getStackTrace()));
        }
    }
}
