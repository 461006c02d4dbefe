package io.tieredarchive.tier.remote;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.HttpRequestRelay;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.TestArchive;
import io.tieredarchive.tier.storage.S3StorageBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.tieredarchive.tier.TestArchive.T0;
import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store confirms the bytes: a segment file corrupted on its way to a real S3 server (a relay flips one byte of
 * the request body) is refused, its marker never goes up and it never counts as verified, whatever
 * {@code s3.checksum.mode} says; the next attempt, intact, goes through.
 */
class UploadVerificationOnS3Test {

    private static final long PART_SIZE = 5L << 20;

    @TempDir
    static Path tempDir;
    private static S3ProxyServer s3;
    private static HttpRequestRelay relay;
    private static S3Connection direct;

    @BeforeAll
    static void startServer() {
        s3 = S3ProxyServer.startIn(tempDir);
        relay = new HttpRequestRelay(s3.port());
        direct = S3TestConnections.withPartSize(S3TestConnections.create(s3, "verify"), PART_SIZE);
    }

    @AfterAll
    static void stopServer() throws Exception {
        Closing.closeAll(relay, s3);
    }

    private static RemoteSegmentStore storeThroughRelay(S3Connection.ChecksumMode mode, String prefix) {
        S3Connection c = S3TestConnections.withChecksumMode(
                S3TestConnections.withEndpoint(direct, relay.endpoint()), mode);
        return new RemoteSegmentStore(S3StorageBackend.create(c), prefix, () -> T0);
    }

    @ParameterizedTest
    @EnumSource(S3Connection.ChecksumMode.class)
    void aLogCorruptedInFlightIsRefusedAndNeverVerified(S3Connection.ChecksumMode mode) throws Exception {
        SegmentFiles files = TestArchive.seal(tempDir.resolve("single-" + mode), TOPIC, 0, 0, 200, "w1", T0);
        corruptedUploadIsRefusedThenRepaired(mode, "single-" + mode, files,
                r -> r.method().equals("PUT") && r.path().endsWith(".log"));
    }

    @ParameterizedTest
    @EnumSource(S3Connection.ChecksumMode.class)
    void aPartCorruptedInFlightIsRefusedAndNeverVerified(S3Connection.ChecksumMode mode) throws Exception {
        // 6,000 records of 1,000 random bytes: a .log of about 6 MB, two parts of 5 MiB.
        SegmentFiles files = TestArchive.seal(tempDir.resolve("multi-" + mode), TOPIC, 0, 0, 6_000, "w1", T0, 1_000,
                64 * 1024);
        assertTrue(Files.size(files.log()) > PART_SIZE, "a multipart upload");
        corruptedUploadIsRefusedThenRepaired(mode, "multi-" + mode, files,
                r -> r.method().equals("PUT") && r.target().contains("partNumber=2"));
        try (S3AsyncClient client = S3ClientFactory.asyncClient(direct)) {
            assertEquals(List.of(), client.listMultipartUploads(b -> b.bucket("verify").prefix("multi-" + mode))
                    .join().uploads(), "the refused upload was aborted: no parts left behind");
        }
    }

    private static void corruptedUploadIsRefusedThenRepaired(S3Connection.ChecksumMode mode, String prefix,
            SegmentFiles files, java.util.function.Predicate<HttpRequestRelay.Request> which) throws Exception {
        SegmentMetadata meta = TestArchive.meta(files);
        try (RemoteSegmentStore store = storeThroughRelay(mode, prefix)) {
            relay.corruptNextBody(which);
            assertThrows(SegmentException.class, () -> store.upload(files, meta));
            assertTrue(relay.corrupted(), "a byte was flipped on the way");
            assertFalse(store.isVerified(files, meta), "never counted as verified");
            assertTrue(store.view(TestArchive.partition(TOPIC, 0)).segments().isEmpty(), "no marker: the segment does not exist");

            store.upload(files, meta);
            assertTrue(store.isVerified(files, meta));
            assertArrayEquals(Files.readAllBytes(files.log()),
                    store.backend().fetchAll(store.layout().keys(meta).log()));
        }
    }
}
