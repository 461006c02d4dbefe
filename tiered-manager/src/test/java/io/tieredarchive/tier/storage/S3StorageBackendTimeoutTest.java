package io.tieredarchive.tier.storage;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3WriteOptions;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No S3 call waits for ever: a store that accepts connections and never answers, and an SDK future that never
 * completes, both turn into a {@link StorageException} within the backend's bound, so a tiering pass or a REST
 * request goes on.
 */
class S3StorageBackendTimeoutTest {

    @TempDir
    Path tmp;

    @Test
    void aStoreThatNeverAnswersFailsWithinTheCallTimeout() throws Exception {
        try (SilentServer silent = new SilentServer();
             S3StorageBackend backend = S3StorageBackend.forRequests(connection(silent.endpoint()),
                     Duration.ofSeconds(2))) {
            long started = System.nanoTime();
            StorageException e = assertThrows(StorageException.class, () -> backend.head("t/0/manifest.json"));
            long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
            assertTrue(seconds < 20, "failed after " + seconds + " s");
            assertTrue(e.getMessage().contains("s3://archive/t/0/manifest.json"), e.getMessage());
            assertTrue(silent.accepted() > 0, "the request reached the silent server");
        }
    }

    @Test
    void aFutureThatNeverCompletesIsCancelledAfterTheBoundAndTheMargin() throws Exception {
        NeverCompletes client = new NeverCompletes();
        try (S3StorageBackend backend = new S3StorageBackend(client, "archive", S3WriteOptions.of(connection("http://127.0.0.1:9")),
                Duration.ofMillis(200))) {
            long started = System.nanoTime();
            StorageException e = assertThrows(StorageException.class, () -> backend.head("t/0/manifest.json"));
            long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
            assertTrue(seconds < 10, "failed after " + seconds + " s");
            assertTrue(e.getMessage().contains("did not complete within"), e.getMessage());
            assertTrue(client.pending.get(0).isCancelled(), "the hung call is cancelled");
        }
    }

    @Test
    void anUploadToAStoreThatNeverAnswersFails() throws Exception {
        Path file = Files.write(tmp.resolve("x.log"), new byte[1024]);
        try (SilentServer silent = new SilentServer();
             S3StorageBackend backend = S3StorageBackend.forRequests(connection(silent.endpoint()),
                     Duration.ofSeconds(2))) {
            StorageException e = assertThrows(StorageException.class,
                    () -> backend.upload("t/0/x.log", file, "00000000", Map.of()));
            assertTrue(e.getMessage().contains("t/0/x.log"), e.getMessage());
        }
    }

    private static S3Connection connection(String endpoint) {
        return new S3Connection("archive", "", "us-east-1", endpoint, true, "key", new Password("secret"),
                S3Connection.ChecksumMode.WHEN_SUPPORTED, null, S3Connection.Sse.NONE, null, 8L * 1024 * 1024, 4, 2);
    }

    /** Accepts TCP connections on loopback, reads nothing, answers nothing. */
    static final class SilentServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        SilentServer() throws IOException {
            acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        sockets.add(server.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "silent-s3");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String endpoint() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        int accepted() {
            return sockets.size();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** An SDK client whose HEAD futures never complete, as some SDK paths have done. */
    static final class NeverCompletes implements S3AsyncClient {
        final List<CompletableFuture<HeadObjectResponse>> pending = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<HeadObjectResponse> headObject(HeadObjectRequest request) {
            CompletableFuture<HeadObjectResponse> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        @Override
        public S3ServiceClientConfiguration serviceClientConfiguration() {
            return S3ServiceClientConfiguration.builder().build();
        }

        @Override
        public String serviceName() {
            return "s3";
        }

        @Override
        public void close() {
        }
    }
}
