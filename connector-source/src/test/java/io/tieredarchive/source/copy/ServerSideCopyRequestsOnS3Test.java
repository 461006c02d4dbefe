package io.tieredarchive.source.copy;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.metrics.ConnectPluginMetrics;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.HttpRequestRelay;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a server-side copy costs in S3 requests, counted on the wire (every HTTP request, SDK retries included) in
 * front of a real S3 server (S3Proxy), for a whole shard: two HeadBuckets and one LIST per 1,000 keys for the shard,
 * then per object only the requests that copy it or that prove the copy. A small object is one CopyObject, whose
 * ETag proves it; an object copied in parts is HEAD of the source (its metadata), the upload (list of open
 * uploads, create, the UploadPartCopy parts, complete), and no HEAD of the destination: the ETag that
 * CompleteMultipartUpload returns is checked against the ETags of the parts the store copied.
 */
class ServerSideCopyRequestsOnS3Test {

    private static final long MIB = 1024L * 1024;

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static HttpRequestRelay relay;
    static S3AsyncClient direct;

    @BeforeAll
    static void start() {
        s3 = S3ProxyServer.startIn(tmp);
        relay = new HttpRequestRelay(s3.port());
        S3TestConnections.create(s3, "dst");
        direct = S3ClientFactory.asyncClient(S3TestConnections.create(s3, "src"));
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(direct, relay, s3);
    }

    @Test
    void aSmallObjectCostsOneCopyObjectAndNothingElse() throws Exception {
        int count = 20;
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            contents.add(put("small/obj-" + i + ".bin", 4096, i));
        }
        relay.clearRequests();
        List<CopyResult> results = copyShard("small", "copied-small", 8 * MIB);

        assertEquals(count, results.size());
        List<String> requests = requests();
        assertEquals(List.of("HEAD src", "HEAD dst", "LIST"), requests.subList(0, 3), requests.toString());
        assertEquals(count, requests.size() - 3, "one request per object: " + requests);
        for (int i = 0; i < count; i++) {
            String copy = "COPY obj-" + i + ".bin";
            assertEquals(1, requests.stream().filter(copy::equals).count(), copy + " once: " + requests);
        }
        for (CopyResult r : results) {
            assertEquals(CopyResult.Status.COPIED, r.status(), r.toString());
            assertEquals(CopyResult.Verification.ETAG, r.verifiedBy(), r.toString());
            assertEquals(1, r.requests(), r.toString());
        }
        for (int i = 0; i < count; i++) {
            assertArrayEquals(contents.get(i), get("dst", "copied-small/obj-" + i + ".bin"));
        }
    }

    @Test
    void anObjectCopiedInPartsIsProvedByItsPartsWithoutAHeadOfTheDestination() throws Exception {
        byte[] content = put("large/big.bin", (int) (12 * MIB), 99);
        relay.clearRequests();
        List<CopyResult> results = copyShard("large", "copied-large", 5 * MIB);

        List<String> requests = requests();
        assertEquals(List.of("HEAD src", "HEAD dst", "LIST", "HEAD big.bin", "LIST-UPLOADS dst",
                "CREATE big.bin", "COPY-PART big.bin", "COPY-PART big.bin", "COPY-PART big.bin",
                "COMPLETE big.bin"), requests, "no HEAD of the destination after the upload");
        CopyResult result = results.get(0);
        assertEquals(CopyResult.Status.COPIED, result.status(), result.toString());
        assertEquals("parts", result.verifiedBy().label(), result.toString());
        assertEquals(3, result.parts());
        // The event's count leaves out the best-effort listing of open uploads: HEAD, create, 3 parts, complete.
        assertEquals(6, result.requests(), result.toString());
        assertArrayEquals(content, get("dst", "copied-large/big.bin"));
    }

    @Test
    void partsProveOnlyAnUploadWhoseEtagTheyMakeUp() {
        String a = "\"" + "0".repeat(32) + "\"";
        String b = "\"" + "f".repeat(32) + "\"";
        String both = Md5.multipartEtag(new byte[][]{new byte[16], java.util.HexFormat.of().parseHex("f".repeat(32))});
        assertTrue(ServerSideCopier.assembledFrom("\"" + both + "\"", Map.of(1, a, 2, b), 2));
        assertFalse(ServerSideCopier.assembledFrom("\"" + both + "\"", Map.of(1, b, 2, a), 2), "parts in another order");
        assertFalse(ServerSideCopier.assembledFrom("\"" + both + "\"", Map.of(1, a), 2), "a part missing");
        assertFalse(ServerSideCopier.assembledFrom("\"" + both + "\"", Map.of(1, a, 2, "\"kms-etag\""), 2),
                "a part whose ETag is no MD5 (SSE-KMS): the destination is checked with a HEAD instead");
    }

    /** Copies every object under {@code prefix} of "src" to {@code destinationPrefix} of "dst", server-side. */
    private static List<CopyResult> copyShard(String prefix, String destinationPrefix, long threshold)
            throws Exception {
        S3Connection source = S3TestConnections.withEndpoint(S3TestConnections.withPrefix(
                S3TestConnections.create(s3, "src"), prefix), relay.endpoint());
        S3Connection destination = S3TestConnections.withEndpoint(S3TestConnections.withPrefix(
                S3TestConnections.create(s3, "dst"), destinationPrefix), relay.endpoint());
        relay.clearRequests();
        CopySettings settings = new CopySettings(source, destination, true, false, 5 * MIB, threshold, false, false);
        CopySelection selection = new CopySelection(prefix, destinationPrefix, null, null, 0, 1);
        AtomicReference<CopyException> fatal = new AtomicReference<>();
        List<CopyResult> results = new ArrayList<>();
        try (ShardCopy copy = new ShardCopy("count", settings, selection, null, 4, pool -> new CopyMetrics(
                new ConnectPluginMetrics(new PluginMetricsImpl(new Metrics(), Map.of())), "count:", pool),
                fatal::set, e -> { })) {
            copy.checkBuckets();
            while (!copy.finished()) {
                copy.fillWindow(100, 10, () -> false);
                if (fatal.get() != null) {
                    throw fatal.get();
                }
                results.addAll(copy.tracker().awaitReady(200));
            }
        }
        return results;
    }

    private static byte[] put(String key, int size, long seed) {
        byte[] content = new byte[size];
        new Random(seed).nextBytes(content);
        direct.putObject(b -> b.bucket("src").key(key), AsyncRequestBody.fromBytes(content)).join();
        return content;
    }

    private static byte[] get(String bucket, String key) {
        return direct.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes()).join()
                .asByteArray();
    }

    /**
     * Each request as "KIND name" (name: the last part of the key; a bucket request names the bucket): a listing
     * "LIST", a server-side copy "COPY" (CopyObject) or "COPY-PART" (UploadPartCopy), a multipart upload's
     * "CREATE", "COMPLETE" and "LIST-UPLOADS", else the HTTP method.
     */
    private static List<String> requests() {
        return relay.requests().stream().map(r -> {
            String name = r.path().substring(r.path().lastIndexOf('/') + 1);
            String query = r.target().contains("?") ? r.target().substring(r.target().indexOf('?')) : "";
            if (query.contains("list-type=2")) {
                return "LIST";
            }
            if (r.hasHeader("x-amz-copy-source")) {
                return (query.contains("partNumber=") ? "COPY-PART " : "COPY ") + name;
            }
            if (query.startsWith("?uploads")) {
                return (r.method().equals("POST") ? "CREATE " : "LIST-UPLOADS ") + name;
            }
            if (query.contains("uploadId=") && r.method().equals("POST")) {
                return "COMPLETE " + name;
            }
            return r.method() + " " + name;
        }).toList();
    }
}
