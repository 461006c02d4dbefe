package io.tieredarchive.tier.remote;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.testing.HttpRequestRelay;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.TestArchive;
import io.tieredarchive.tier.storage.S3StorageBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static io.tieredarchive.tier.TestArchive.T0;
import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stores that do not play along with {@code x-amz-checksum-crc32c} still never get an upload accepted unproven:
 * one that refuses the header gets {@code Content-MD5} instead (and S3Proxy checks it), one that ignores checksums
 * altogether has each upload proven by its ETag or read back. Played by S3Proxy behind a relay that refuses the
 * header, or (with signatures unchecked) drops it, {@code x-amz-checksum-algorithm} and {@code Content-MD5} on the
 * way.
 */
class UploadFallbacksOnS3Test {

    private static final long PART_SIZE = 5L << 20;

    @TempDir
    Path tempDir;

    private SegmentFiles smallSegment(String dir) throws SegmentException {
        return TestArchive.seal(tempDir.resolve(dir), TOPIC, 0, 0, 200, "w1", T0);
    }

    /** About 6 MB of .log: two parts. */
    private SegmentFiles largeSegment(String dir, long base) throws SegmentException {
        return TestArchive.seal(tempDir.resolve(dir), TOPIC, 0, base, 6_000, "w1", T0, 1_000, 64 * 1024);
    }

    private static RemoteSegmentStore store(S3ProxyServer s3, HttpRequestRelay relay, String prefix) {
        S3Connection c = S3TestConnections.withChecksumMode(S3TestConnections.withEndpoint(
                S3TestConnections.withPartSize(S3TestConnections.create(s3, "fallback"), PART_SIZE),
                relay.endpoint()), S3Connection.ChecksumMode.WHEN_REQUIRED);
        return new RemoteSegmentStore(S3StorageBackend.create(c), prefix, () -> T0);
    }

    @Test
    void aStoreThatRefusesTheChecksumHeaderGetsContentMd5AndChecksIt() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.startIn(tempDir);
             HttpRequestRelay relay = new HttpRequestRelay(s3.port());
             RemoteSegmentStore store = store(s3, relay, "refusing")) {
            relay.refuse(r -> r.hasHeader("x-amz-checksum-crc32c"));
            SegmentFiles small = smallSegment("small");
            SegmentFiles large = largeSegment("large", 1_000);
            store.upload(small, TestArchive.meta(small));
            store.upload(large, TestArchive.meta(large));
            assertTrue(store.isVerified(small, TestArchive.meta(small)));
            assertTrue(store.isVerified(large, TestArchive.meta(large)));
            assertArrayEquals(Files.readAllBytes(large.log()),
                    store.backend().fetchAll(store.layout().keys(TestArchive.meta(large)).log()));
            List<HttpRequestRelay.Request> puts = relay.requests().stream()
                    .filter(r -> r.method().equals("PUT") && r.hasHeader("content-md5")).toList();
            assertTrue(puts.size() >= 4 + 2, "every object and part went up with Content-MD5: " + relay.requests());

            SegmentFiles corrupted = TestArchive.seal(tempDir.resolve("corrupted"), TOPIC, 0, 500, 200, "w1", T0);
            SegmentMetadata meta = TestArchive.meta(corrupted);
            relay.corruptNextBody(r -> r.method().equals("PUT") && r.path().endsWith(".log"));
            assertThrows(SegmentException.class, () -> store.upload(corrupted, meta),
                    "S3Proxy checks Content-MD5 and refuses the body");
            assertTrue(relay.corrupted());
            assertFalse(store.isVerified(corrupted, meta));
        }
    }

    @Test
    void aStoreThatIgnoresChecksumsHasEveryUploadProvenOrRefused() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.startWithoutAuthentication(tempDir);
             HttpRequestRelay relay = new HttpRequestRelay(s3.port());
             RemoteSegmentStore store = store(s3, relay, "ignoring")) {
            relay.dropHeaders(Set.of("x-amz-checksum-crc32c", "x-amz-checksum-algorithm", "content-md5"));
            SegmentFiles small = smallSegment("small");
            SegmentFiles large = largeSegment("large", 1_000);
            SegmentMetadata largeMeta = TestArchive.meta(large);
            store.upload(small, TestArchive.meta(small));
            assertTrue(relay.requests().stream().noneMatch(r -> r.method().equals("GET")),
                    "single-part uploads are proven by their ETag, the MD5 of the file: " + relay.requests());
            relay.clearRequests();
            store.upload(large, largeMeta);
            String logKey = store.layout().keys(largeMeta).log();
            assertTrue(relay.requests().stream().anyMatch(r -> r.method().equals("GET") && r.path().endsWith(logKey)),
                    "a multipart upload nobody vouched for is read back: " + relay.requests());
            assertTrue(store.isVerified(large, largeMeta));

            SegmentFiles corrupted = TestArchive.seal(tempDir.resolve("corrupted"), TOPIC, 0, 500, 200, "w1", T0);
            relay.corruptNextBody(r -> r.method().equals("PUT") && r.path().endsWith(".log"));
            SegmentException single = assertThrows(SegmentException.class,
                    () -> store.upload(corrupted, TestArchive.meta(corrupted)));
            assertTrue(single.getMessage().contains("did not verify"), single.getMessage());

            SegmentFiles corruptedLarge = largeSegment("corrupted-large", 20_000);
            SegmentMetadata corruptedLargeMeta = TestArchive.meta(corruptedLarge);
            relay.corruptNextBody(r -> r.method().equals("PUT") && r.target().contains("partNumber=2"));
            assertThrows(SegmentException.class, () -> store.upload(corruptedLarge, corruptedLargeMeta));
            assertTrue(relay.corrupted());
            assertTrue(store.view(TestArchive.partition(TOPIC, 0)).segments().stream().noneMatch(m -> m.baseOffset() == 500),
                    "no marker for what did not verify");
        }
    }
}
