package io.tieredarchive.tier.storage;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.testing.HttpRequestRelay;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A file sent in parts keeps all {@code s3.max.concurrency} connections busy, as {@code aws s3 cp} does: a sealed
 * {@code .log} is usually the only large file in flight (one partition seals at a time), and a cap per file below
 * the connections left them idle. Counted on the wire in front of S3Proxy: the relay holds each part until as many
 * as the connections are held at once, so the count does not depend on how fast the server answers.
 */
class UploadConcurrencyOnS3Test {

    private static final long PART_SIZE = 5L << 20;
    private static final int CONNECTIONS = 8;

    @TempDir
    Path tempDir;

    @Test
    void theLogsPartsUseEveryConnection() throws Exception {
        byte[] content = new byte[(int) (PART_SIZE * CONNECTIONS + 1_000)];
        new Random(7).nextBytes(content);
        Path file = Files.write(tempDir.resolve("00000000000000000000.log"), content);
        CRC32C crc = new CRC32C();
        crc.update(content);
        String crc32c = Checksums.hex(crc.getValue());
        try (S3ProxyServer s3 = S3ProxyServer.startIn(tempDir);
             HttpRequestRelay relay = new HttpRequestRelay(s3.port())) {
            S3Connection c = S3TestConnections.withEndpoint(S3TestConnections.withPartSize(
                    S3TestConnections.create(s3, "concurrency"), PART_SIZE), relay.endpoint());
            assertEquals(CONNECTIONS, c.maxConcurrency());
            try (S3StorageBackend backend = S3StorageBackend.create(c)) {
                relay.holdUntilConcurrent(r -> r.target().contains("partNumber="), CONNECTIONS,
                        Duration.ofSeconds(20));
                ObjectInfo stored = backend.upload("t/0/00000000000000000000.log", file, crc32c,
                        Map.of(ObjectInfo.CRC32C, crc32c));
                assertNotNull(stored.confirmedCrc32c(), "the store vouched for the parts");
                assertEquals(CONNECTIONS, relay.mostHeld(), "parts of the file sent at once: " + relay.requests());
                assertArrayEquals(content, backend.fetchAll("t/0/00000000000000000000.log"));
            }
        }
    }
}
