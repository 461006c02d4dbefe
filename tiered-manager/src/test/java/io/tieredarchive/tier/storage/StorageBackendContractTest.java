package io.tieredarchive.tier.storage;

import io.tieredarchive.failure.FailureKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link StorageBackend} promises, run against each backend by a subclass: the local file
 * system ({@code FileSystemStorageBackendTest}) and S3 ({@code S3StorageBackendTest}, against S3Proxy).
 */
abstract class StorageBackendContractTest {

    @TempDir
    Path tempDir;

    private StorageBackend backend;
    /** Each test works under its own prefix, so that a shared server needs no cleaning. */
    protected String root;

    protected abstract StorageBackend createBackend(Path tempDir) throws Exception;

    /**
     * A backend of the same kind on a bucket that does not exist (S3), or whose folder is gone (file system); the
     * test closes it.
     */
    protected abstract StorageBackend createBackendWithoutBucket(Path tempDir) throws Exception;

    /** Bytes above which the backend uploads in parts, or -1 when it has no such notion. */
    protected abstract long partSizeBytes();

    @BeforeEach
    void setUpBackend() throws Exception {
        backend = createBackend(tempDir);
        root = "contract-" + UUID.randomUUID() + "/";
    }

    @AfterEach
    void closeBackend() {
        if (!sharedBackend()) {
            backend.close();
        }
    }

    /** True when the subclass shares one backend across its tests (closed by the subclass). */
    protected boolean sharedBackend() {
        return false;
    }

    private Path file(String name, byte[] content) throws Exception {
        return Files.write(tempDir.resolve(name), content);
    }

    /** Uploads {@code content} as {@code key}, with its true CRC32C. */
    private ObjectInfo upload(String key, byte[] content, Map<String, String> metadata) throws Exception {
        Path f = file("upload-" + UUID.randomUUID(), content);
        return backend.upload(key, f, crc32c(content), metadata);
    }

    static String crc32c(byte[] content) {
        CRC32C crc = new CRC32C();
        crc.update(content);
        return String.format("%08x", crc.getValue());
    }

    /** The CRC32C of a file, as the tier computes it for a marker. */
    static String crc32c(Path file) throws java.io.IOException {
        return crc32c(Files.readAllBytes(file));
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void uploadThenHeadReturnsSizeAndMetadata() throws Exception {
        byte[] content = randomBytes(10_000, 1);
        ObjectInfo uploaded = upload(root + "t/0/a.log", content, Map.of("crc32c", "0badf00d"));
        assertEquals(10_000, uploaded.size());
        assertEquals(crc32c(content), uploaded.confirmedCrc32c(), "the store vouches for the bytes it stored");

        ObjectInfo head = backend.head(root + "t/0/a.log").orElseThrow();
        assertEquals(10_000, head.size());
        assertEquals("0badf00d", head.crc32c(), "user metadata as sent");
        assertEquals(crc32c(content), head.confirmedCrc32c(), "the store reports the checksum it checked");
        assertEquals(uploaded.etag(), head.etag());
        assertArrayEquals(content, backend.fetchAll(root + "t/0/a.log"));
    }

    @Test
    void anUploadWhoseBytesDoNotMatchItsChecksumIsRefused() throws Exception {
        byte[] content = randomBytes(10_000, 6);
        byte[] other = content.clone();
        other[4321] ^= 1;
        StorageException e = assertThrows(StorageException.class,
                () -> backend.upload(root + "bad.log", file("bad", content), crc32c(other), Map.of()));
        assertTrue(e.getMessage().contains(root + "bad.log"), e.getMessage());
        assertTrue(backend.head(root + "bad.log").isEmpty(), "nothing stored");
    }

    @Test
    void getReturnsTheContentWithTheEtagOfExactlyThatContent() throws Exception {
        assertTrue(backend.get(root + "m.json").isEmpty());
        ObjectInfo v1 = backend.putIfMatch(root + "m.json", bytes("one"), null);
        ObjectReader.StoredObject read = backend.get(root + "m.json").orElseThrow();
        assertArrayEquals(bytes("one"), read.content());
        assertEquals(v1.etag(), read.etag());
        assertEquals(backend.head(root + "m.json").orElseThrow().etag(), read.etag());
        ObjectInfo v2 = backend.putIfMatch(root + "m.json", bytes("two"), read.etag());
        assertEquals(v2.etag(), backend.get(root + "m.json").orElseThrow().etag());
        assertThrows(PreconditionFailedException.class,
                () -> backend.putIfMatch(root + "m.json", bytes("three"), read.etag()), "a stale version loses");
    }

    @Test
    void headOfMissingObjectIsEmpty() throws Exception {
        assertTrue(backend.head(root + "missing").isEmpty());
    }

    @Test
    void fetchReadsExactlyTheRequestedRange() throws Exception {
        byte[] content = randomBytes(5000, 2);
        upload(root + "r", content, Map.of());

        assertArrayEquals(Arrays.copyOfRange(content, 1000, 1100), backend.fetch(root + "r", 1000, 100));
        assertArrayEquals(Arrays.copyOfRange(content, 4990, 5000), backend.fetch(root + "r", 4990, 100),
                "a range past the end is cut at the end");
        assertArrayEquals(Arrays.copyOfRange(content, 4000, 5000), backend.fetch(root + "r", 4000, -1));
        assertEquals(0, backend.fetch(root + "r", 5000, 10).length, "nothing at the end");
    }

    @Test
    void fetchOfMissingObjectNamesIt() throws Exception {
        ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class,
                () -> backend.fetch(root + "nope.log", 0, 10));
        assertTrue(e.getMessage().contains(root + "nope.log"), e.getMessage());
    }

    @Test
    void uploadOfMissingFileFailsNamingTheFile() {
        StorageException e = assertThrows(StorageException.class,
                () -> backend.upload(root + "x", tempDir.resolve("no-such-file"), "00000000", Map.of()));
        assertTrue(e.getMessage().contains("no-such-file"), e.getMessage());
    }

    @Test
    void listReturnsKeysUnderThePrefixInOrderAfterStartAfter() throws Exception {
        for (String k : List.of("t/1/b", "t/1/a", "t/1/c", "t/10/a", "t/2/a", "u/1/a")) {
            upload(root + k, "x".getBytes(StandardCharsets.UTF_8), Map.of());
        }
        assertEquals(List.of(root + "t/1/a", root + "t/1/b", root + "t/1/c"), keys(backend.listAll(root + "t/1/",
                null)));
        assertEquals(List.of(root + "t/1/c"), keys(backend.listAll(root + "t/1/", root + "t/1/b")));
        assertEquals(List.of(root + "t/1/a", root + "t/1/b"), keys(backend.list(root + "t/1/", null, 2)));
        assertEquals(List.of(root + "t/1/b"), keys(backend.listBetween(root + "t/1/", root + "t/1/a",
                root + "t/1/c")));
        assertEquals(1, backend.listAll(root + "t/1/", null).get(0).size());
        assertEquals(List.of(), backend.listAll(root + "nothing/", null));
    }

    @Test
    void listFoldersReturnsTheNamesDirectlyBelowAPrefix() throws Exception {
        for (String k : List.of("orders/0/a", "orders/0/b", "orders/10/a", "orders/2/x/y", "pay.ments/1/a", "top")) {
            upload(root + k, new byte[] {1}, Map.of());
        }
        assertEquals(List.of("orders", "pay.ments"), backend.listFolders(root));
        assertEquals(List.of("0", "10", "2"), backend.listFolders(root + "orders/"));
        assertEquals(List.of(), backend.listFolders(root + "none/"));
        backend.delete(root + "pay.ments/1/a");
        assertEquals(List.of("orders"), backend.listFolders(root), "a folder whose objects are gone is gone");
    }

    @Test
    void listPagesThroughMoreThanOnePage() throws Exception {
        for (int i = 0; i < 7; i++) {
            upload(root + "p/" + i, new byte[] {1}, Map.of());
        }
        List<ObjectInfo> page1 = backend.list(root + "p/", null, 3);
        List<ObjectInfo> page2 = backend.list(root + "p/", page1.get(2).key(), 3);
        List<ObjectInfo> page3 = backend.list(root + "p/", page2.get(2).key(), 3);
        assertEquals(List.of(root + "p/0", root + "p/1", root + "p/2"), keys(page1));
        assertEquals(List.of(root + "p/3", root + "p/4", root + "p/5"), keys(page2));
        assertEquals(List.of(root + "p/6"), keys(page3));
    }

    @Test
    void deleteRemovesTheObjectAndIgnoresMissingOnes() throws Exception {
        upload(root + "d", new byte[] {1, 2}, Map.of());
        backend.delete(root + "d");
        assertTrue(backend.head(root + "d").isEmpty());
        assertEquals(List.of(), backend.listAll(root, null));
        backend.delete(root + "d");
    }

    @Test
    void putIfMatchCreatesOnlyWhenAbsent() throws Exception {
        ObjectInfo first = backend.putIfMatch(root + "m.json", bytes("one"), null);
        assertThrows(PreconditionFailedException.class, () -> backend.putIfMatch(root + "m.json", bytes("two"), null));
        assertArrayEquals(bytes("one"), backend.fetchAll(root + "m.json"));
        assertEquals(first.etag(), backend.head(root + "m.json").orElseThrow().etag());
    }

    @Test
    void putIfMatchReplacesOnlyTheExpectedVersion() throws Exception {
        ObjectInfo v1 = backend.putIfMatch(root + "m.json", bytes("one"), null);
        ObjectInfo v2 = backend.putIfMatch(root + "m.json", bytes("two"), v1.etag());
        assertNotEquals(v1.etag(), v2.etag());
        PreconditionFailedException stale = assertThrows(PreconditionFailedException.class,
                () -> backend.putIfMatch(root + "m.json", bytes("three"), v1.etag()));
        assertTrue(stale.getMessage().contains("m.json"), stale.getMessage());
        assertArrayEquals(bytes("two"), backend.fetchAll(root + "m.json"));
        assertThrows(PreconditionFailedException.class,
                () -> backend.putIfMatch(root + "absent.json", bytes("x"), v2.etag()),
                "an expected version of a missing object fails");
    }

    @Test
    void largeFileRoundTripsThroughMultipart() throws Exception {
        long partSize = partSizeBytes();
        int size = (int) (partSize > 0 ? 2 * partSize + 12345 : 3_000_000);
        byte[] content = randomBytes(size, 3);
        ObjectInfo uploaded = upload(root + "big.log", content, Map.of("crc32c", "abc"));
        assertEquals(size, uploaded.size());
        assertEquals(crc32c(content), uploaded.confirmedCrc32c(), "every part vouched for by the store");
        ObjectInfo head = backend.head(root + "big.log").orElseThrow();
        assertEquals(size, head.size());
        assertEquals("abc", head.crc32c(), "metadata survives a multipart upload");
        assertTrue(head.confirmedCrc32c() == null || head.confirmedCrc32c().equals(crc32c(content)),
                "a HEAD vouches for the whole object's CRC32C or for none: " + head.confirmedCrc32c());
        assertArrayEquals(content, backend.fetchAll(root + "big.log"));
        assertArrayEquals(Arrays.copyOfRange(content, size - 7, size), backend.fetch(root + "big.log", size - 7, 7));
        if (partSize > 0) {
            assertTrue(head.etag().contains("-"), "a multipart ETag ends in -<parts>: " + head.etag());
        }
    }

    @Test
    void aLargeFileWhoseBytesDoNotMatchItsChecksumIsRefused() throws Exception {
        long partSize = partSizeBytes();
        byte[] content = randomBytes((int) (partSize > 0 ? partSize + 1000 : 3_000_000), 7);
        StorageException e = assertThrows(StorageException.class,
                () -> backend.upload(root + "big-bad.log", file("big-bad", content), "0badf00d", Map.of()));
        assertTrue(e.getMessage().contains(root + "big-bad.log"), e.getMessage());
        assertTrue(backend.head(root + "big-bad.log").isEmpty(), "nothing stored");
    }

    @Test
    void uploadReplacesAnExistingObjectWhole() throws Exception {
        upload(root + "o", randomBytes(3000, 4), Map.of("crc32c", "1"));
        byte[] second = randomBytes(1000, 5);
        upload(root + "o", second, Map.of("crc32c", "2"));
        assertArrayEquals(second, backend.fetchAll(root + "o"));
        assertEquals("2", backend.head(root + "o").orElseThrow().crc32c());
        assertFalse(backend.location().isEmpty());
    }

    @Test
    void failuresCarryTheKindTheStoreGave() throws Exception {
        StorageException missing = assertThrows(StorageException.class, () -> backend.fetch(root + "none", 0, 1));
        assertEquals(FailureKind.NOT_FOUND, missing.kind(), missing.getMessage());
        backend.putIfMatch(root + "cas.json", bytes("one"), null);
        StorageException lost = assertThrows(StorageException.class,
                () -> backend.putIfMatch(root + "cas.json", bytes("two"), null));
        assertEquals(FailureKind.PRECONDITION_FAILED, lost.kind(), lost.getMessage());
        StorageException stale = assertThrows(StorageException.class,
                () -> backend.putIfMatch(root + "cas.json", bytes("two"), "0123456789abcdef0123456789abcdef"));
        assertEquals(FailureKind.PRECONDITION_FAILED, stale.kind(), stale.getMessage());
    }

    /**
     * A missing bucket is never "no such object": a HEAD or GET that found nothing would read as an empty partition
     * (nothing archived yet), and the sink would start archiving from offset 0 into a bucket that is not there.
     */
    @Test
    void aMissingBucketIsBucketMissingInEveryOperationNeverNoSuchObject() throws Exception {
        Path f = file("for-missing-bucket", bytes("x"));
        try (StorageBackend gone = createBackendWithoutBucket(tempDir)) {
            Map<String, Executable> calls = new LinkedHashMap<>();
            calls.put("head", () -> gone.head(root + "k"));
            calls.put("get", () -> gone.get(root + "k"));
            calls.put("fetch", () -> gone.fetch(root + "k", 0, 10));
            calls.put("list", () -> gone.list(root, null, 10));
            calls.put("listFolders", () -> gone.listFolders(root));
            calls.put("upload", () -> gone.upload(root + "k", f, crc32c(bytes("x")), Map.of()));
            calls.put("putIfMatch", () -> gone.putIfMatch(root + "k", bytes("x"), null));
            // Not delete: S3Proxy answers a DELETE in a missing bucket with 204 (AWS S3 with NoSuchBucket), and the
            // plugin itself never deletes an object in a bucket.
            for (Map.Entry<String, Executable> call : calls.entrySet()) {
                StorageException e = assertThrows(StorageException.class, call.getValue(), call.getKey());
                assertEquals(FailureKind.BUCKET_MISSING, e.kind(), call.getKey() + ": " + e.getMessage());
                assertFalse(e instanceof ObjectNotFoundException, call.getKey() + ": " + e.getMessage());
                assertTrue(e.getMessage().contains(gone.location()), call.getKey() + ": " + e.getMessage());
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> keys(List<ObjectInfo> infos) {
        return infos.stream().map(ObjectInfo::key).toList();
    }
}
