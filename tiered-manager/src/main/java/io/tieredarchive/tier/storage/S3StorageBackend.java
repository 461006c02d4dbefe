package io.tieredarchive.tier.storage;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.failure.FailureKind;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.s3.S3WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An S3 bucket (AWS or any S3-compatible store) through the AWS SDK v2, with two clients: uploads (PutObject, and
 * the parts of a multipart upload) go through one whose attempts are bounded by the bytes they send; every other
 * call (HEAD, LIST, GET, conditional PUT, DELETE) is one request on a client whose attempts and calls are bounded
 * in time ({@link S3ClientFactory#requestClient}). The SDK's retry strategy retries each request up to
 * {@code s3.retry.max.attempts} times. Storage class and SSE are set on every object created. Conditional writes
 * use {@code If-Match} / {@code If-None-Match: *}. Each call blocks its thread (see {@link S3Calls} for the bounds);
 * callers that want concurrency call from several threads.
 *
 * <p>The store checks every upload: a file up to {@code s3.part.size.bytes} goes up in one PutObject carrying its
 * CRC32C as {@code x-amz-checksum-crc32c} (whatever {@code s3.checksum.mode} says: a precomputed checksum is a plain
 * header, never a chunked trailer); a larger one in parts, each with its own ({@link S3MultipartUploader}). S3
 * refuses a body that does not match, and echoes the checksum it checked; that echo is the proof of the bytes, so
 * an upload needs no HEAD. A store that answers without the echo may have ignored the header: a single-part
 * upload is then proven by its ETag being the MD5 of the file, and otherwise returns without a confirmed checksum
 * (the caller reads it back). A store that refuses the header itself (400 InvalidArgument, InvalidRequest or
 * NotImplemented, or 501) gets {@code Content-MD5} instead, from then on, with the ETag as the proof.
 */
public final class S3StorageBackend implements StorageBackend {

    private static final Logger log = LoggerFactory.getLogger(S3StorageBackend.class);
    private static final int RANGE_NOT_SATISFIABLE = 416;
    private static final int BAD_REQUEST = 400;
    private static final int NOT_IMPLEMENTED = 501;
    private static final Set<String> REFUSALS = Set.of("InvalidArgument", "InvalidRequest", "NotImplemented");
    /** The bound of a whole request call (retries included) of the backend that {@link #create} builds. */
    public static final Duration CALL_TIMEOUT = Duration.ofMinutes(5);
    private static final long DEFAULT_PART_SIZE = 8L * 1024 * 1024;
    private static final int DEFAULT_SENDING = 8;

    private final S3AsyncClient client;
    private final S3AsyncClient uploadClient;
    private final String bucket;
    private final S3WriteOptions writeOptions;
    private final long partSize;
    private final boolean atomicConditionalWrites;
    private final S3Calls calls;
    private final S3MultipartUploader multipart;
    /** Set once the store refused {@code x-amz-checksum-crc32c}: uploads send {@code Content-MD5} instead. */
    private final AtomicBoolean contentMd5 = new AtomicBoolean();
    private final AtomicBoolean warnedNoEcho = new AtomicBoolean();
    /** Set once a HeadBucket found the bucket: a HEAD's 404 is then a missing object. */
    private final AtomicBoolean bucketConfirmed = new AtomicBoolean();

    /**
     * A backend that sends everything through {@code client}, waiting for each call at most {@code callTimeout}
     * (null: as long as it takes), uploads included; files above 8 MiB go up in parts of 8 MiB. Takes ownership of
     * {@code client}: {@link #close()} closes it.
     */
    public S3StorageBackend(S3AsyncClient client, String bucket, S3WriteOptions writeOptions, Duration callTimeout) {
        this(client, client, bucket, writeOptions, callTimeout, DEFAULT_PART_SIZE, DEFAULT_SENDING,
                DEFAULT_SENDING, false);
    }

    private S3StorageBackend(S3AsyncClient client, S3AsyncClient uploadClient, String bucket,
                             S3WriteOptions writeOptions, Duration callTimeout, long partSize, int partsInFlight,
                             int maxSending, boolean atomicConditionalWrites) {
        this.client = client;
        this.uploadClient = uploadClient;
        this.bucket = bucket;
        this.writeOptions = writeOptions;
        this.partSize = partSize;
        this.atomicConditionalWrites = atomicConditionalWrites;
        this.calls = new S3Calls(location(), callTimeout, maxSending);
        this.multipart = new S3MultipartUploader(uploadClient, bucket, writeOptions, partSize, partsInFlight, calls);
    }

    /**
     * A backend on the bucket of {@code connection}: an upload client (attempts bounded by the part size) and a
     * bounded single-request client ({@link #CALL_TIMEOUT} per call) for the rest. At most
     * {@code s3.max.concurrency} uploads and parts are sent at once (the rest wait for one to end), from one file
     * as from several: a sealed {@code .log} is often the only large file in flight, and it alone keeps every
     * connection busy (as {@code aws s3 cp} does). Conditional writes count as atomic on AWS S3 (no
     * {@code s3.endpoint}), which documents them so; on other stores a writer reads its manifest update back.
     */
    public static S3StorageBackend create(S3Connection connection) {
        return new S3StorageBackend(S3ClientFactory.requestClient(connection, CALL_TIMEOUT),
                S3ClientFactory.uploadClient(connection), connection.bucket(), S3WriteOptions.of(connection),
                CALL_TIMEOUT, connection.partSizeBytes(),
                connection.maxConcurrency(), connection.maxConcurrency(),
                connection.endpoint() == null);
    }

    /**
     * A read-mostly backend for answering requests: one bounded single-request client ({@code callTimeout} per
     * call, retries included) for everything.
     */
    public static S3StorageBackend forRequests(S3Connection connection, Duration callTimeout) {
        S3AsyncClient client = S3ClientFactory.requestClient(connection, callTimeout);
        return new S3StorageBackend(client, client, connection.bucket(), S3WriteOptions.of(connection), callTimeout,
                connection.partSizeBytes(), 1, connection.maxConcurrency(), connection.endpoint() == null);
    }

    @Override
    public String location() {
        return "s3://" + bucket + "/";
    }

    @Override
    public boolean atomicConditionalWrites() {
        return atomicConditionalWrites;
    }

    @Override
    public ObjectInfo upload(String key, Path file, String crc32c, Map<String, String> metadata)
            throws StorageException {
        long size = sizeOf(key, file);
        ObjectInfo stored = null;
        if (!contentMd5.get()) {
            try {
                stored = send(key, file, size, crc32c, metadata, false);
            } catch (StorageException e) {
                if (!refusesChecksumHeader(e)) {
                    throw e;
                }
                if (contentMd5.compareAndSet(false, true)) {
                    log.warn("{} refused the x-amz-checksum-crc32c header of an upload ({}); uploads to it send "
                            + "Content-MD5 instead from now on, and are proven by their ETag", location(),
                            e.getMessage());
                }
            }
        }
        if (stored == null) {
            stored = send(key, file, size, crc32c, metadata, true);
        }
        log.debug("Uploaded {} ({} bytes) to {}, {}", file, size, calls.describe(key),
                stored.confirmedCrc32c() == null ? "not confirmed by the store" : "confirmed by the store");
        return stored;
    }

    private ObjectInfo send(String key, Path file, long size, String crc32c, Map<String, String> metadata,
                            boolean withMd5) throws StorageException {
        if (size > partSize) {
            ObjectInfo stored = multipart.upload(key, file, size, crc32c, metadata, withMd5);
            if (stored.confirmedCrc32c() == null) {
                warnNoEcho();
            }
            return stored;
        }
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(key).metadata(metadata)
                .contentLength(size);
        byte[] md5 = withMd5 ? md5(key, file) : null;
        if (md5 != null) {
            put.contentMD5(Checksums.base64(md5));
        } else {
            put.checksumCRC32C(Checksums.crc32cBase64(crc32c));
        }
        writeOptions.applyTo(put);
        PutObjectResponse response = calls.awaitSending(calls.sending(() -> uploadClient.putObject(put.build(),
                AsyncRequestBody.fromFile(file)), "upload", key), "upload", key, size);
        String etag = unquote(response.eTag());
        return new ObjectInfo(key, size, etag, metadata, confirmedByPut(key, file, crc32c, response, etag, md5));
    }

    /**
     * The CRC32C the store vouches for after a single PutObject: the one it echoed, else (a store that may have
     * ignored the header) the file's when the ETag is the file's MD5; null when neither.
     */
    private String confirmedByPut(String key, Path file, String crc32c, PutObjectResponse response, String etag,
                                  byte[] md5) throws StorageException {
        String echoed = Checksums.crc32cHex(response.checksumCRC32C());
        if (echoed != null && md5 == null) {
            if (!echoed.equals(crc32c)) {
                throw new StorageException("S3 stored " + calls.describe(key) + " with CRC32C " + echoed + ", not the "
                        + crc32c + " sent");
            }
            return crc32c;
        }
        if (md5 == null) {
            warnNoEcho();
        }
        byte[] local = md5 != null ? md5 : md5(key, file);
        return Checksums.md5Hex(local).equals(etag) ? crc32c : null;
    }

    private void warnNoEcho() {
        if (!contentMd5.get() && warnedNoEcho.compareAndSet(false, true)) {
            log.warn("{} answered an upload without x-amz-checksum-crc32c: it may not check the checksums sent to "
                    + "it. Uploads to it are proven by their ETag (the MD5 of a single-part object) or, failing "
                    + "that, by reading them back (see troubleshooting.md)", location());
        }
    }

    /** A 400 of the kinds a store gives a header it does not support, or a 501; not a checksum mismatch. */
    private static boolean refusesChecksumHeader(StorageException e) {
        S3Exception s3 = S3Calls.s3Error(e);
        if (s3 == null) {
            return false;
        }
        String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
        return s3.statusCode() == NOT_IMPLEMENTED || (s3.statusCode() == BAD_REQUEST && REFUSALS.contains(code));
    }

    private long sizeOf(String key, Path file) throws StorageException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw new StorageException("Cannot upload " + file + " to " + calls.describe(key)
                    + ": the file does not exist", e);
        } catch (IOException e) {
            throw new StorageException("Cannot upload " + file + " to " + calls.describe(key) + ": " + e, e);
        }
    }

    private byte[] md5(String key, Path file) throws StorageException {
        try {
            return Checksums.md5(file);
        } catch (IOException e) {
            throw new StorageException("Cannot read " + file + " to upload it to " + calls.describe(key) + ": " + e, e);
        }
    }

    @Override
    public ObjectInfo putIfMatch(String key, byte[] content, String expectedEtag) throws StorageException {
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(key);
        if (expectedEtag == null) {
            put.ifNoneMatch("*");
        } else {
            put.ifMatch("\"" + expectedEtag + "\"");
        }
        writeOptions.applyTo(put);
        PutObjectResponse response;
        try {
            response = calls.await(client.putObject(put.build(), AsyncRequestBody.fromBytes(content)),
                    "conditional put", key);
        } catch (ObjectNotFoundException e) {
            // If-Match on a missing object: S3 answers 404, which for a compare-and-set means "changed".
            throw new PreconditionFailedException(e.getMessage(), e);
        }
        return new ObjectInfo(key, content.length, unquote(response.eTag()), Map.of());
    }

    @Override
    public Optional<StoredObject> get(String key) throws StorageException {
        try {
            ResponseBytes<GetObjectResponse> bytes = calls.await(client.getObject(b -> b.bucket(bucket).key(key),
                    AsyncResponseTransformer.toBytes()), "get", key);
            return Optional.of(new StoredObject(key, bytes.asByteArrayUnsafe(), unquote(bytes.response().eTag())));
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public byte[] fetch(String key, long position, int length) throws StorageException {
        if (length == 0) {
            return new byte[0];
        }
        String range = length < 0 ? "bytes=" + position + "-" : "bytes=" + position + "-" + (position + length - 1);
        try {
            ResponseBytes<GetObjectResponse> bytes = calls.await(client.getObject(b -> b.bucket(bucket).key(key)
                    .range(range), AsyncResponseTransformer.toBytes()), "get " + range + " of", key);
            return bytes.asByteArrayUnsafe();
        } catch (StorageException e) {
            S3Exception s3 = S3Calls.s3Error(e);
            if (s3 != null && s3.statusCode() == RANGE_NOT_SATISFIABLE) {
                return new byte[0]; // position at or past the end
            }
            throw e;
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix, String startAfter, int maxKeys) throws StorageException {
        ListObjectsV2Response page = calls.await(client.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)
                .startAfter(startAfter).maxKeys(maxKeys)), "list", prefix);
        return page.contents().stream()
                .map(o -> new ObjectInfo(o.key(), o.size(), unquote(o.eTag()), Map.of()))
                .toList();
    }

    @Override
    public List<String> listFolders(String prefix) throws StorageException {
        List<String> folders = new ArrayList<>();
        String token = null;
        do {
            String continuation = token;
            ListObjectsV2Response page = calls.await(client.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)
                    .delimiter("/").continuationToken(continuation)), "list folders of", prefix);
            for (CommonPrefix common : page.commonPrefixes()) {
                String p = common.prefix();
                folders.add(p.substring(prefix.length(), p.length() - 1));
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return folders;
    }

    /**
     * Asks for the stored checksum too ({@code x-amz-checksum-mode: ENABLED}): a whole-object CRC32C is confirmed.
     * A HEAD's 404 has no body, so it cannot say whether the object or the bucket is missing: the first one asks
     * the bucket (HeadBucket), so that a missing bucket is never taken for a missing object.
     */
    @Override
    public Optional<ObjectInfo> head(String key) throws StorageException {
        try {
            HeadObjectResponse head = calls.await(client.headObject(b -> b.bucket(bucket).key(key)
                    .checksumMode(ChecksumMode.ENABLED)), "head", key);
            return Optional.of(new ObjectInfo(key, head.contentLength(), unquote(head.eTag()), head.metadata(),
                    Checksums.crc32cHex(head.checksumCRC32C())));
        } catch (ObjectNotFoundException e) {
            confirmBucket(key);
            return Optional.empty();
        }
    }

    /** Once per backend: a HeadBucket, failing with {@link FailureKind#BUCKET_MISSING} when it answers 404. */
    private void confirmBucket(String key) throws StorageException {
        if (bucketConfirmed.get()) {
            return;
        }
        try {
            calls.await(client.headBucket(b -> b.bucket(bucket)), "head of the bucket, for", key);
        } catch (ObjectNotFoundException e) {
            throw new StorageException(FailureKind.BUCKET_MISSING, "S3 bucket '" + bucket + "' does not exist: "
                    + e.getMessage(), e);
        }
        bucketConfirmed.set(true);
    }

    @Override
    public void delete(String key) throws StorageException {
        calls.await(client.deleteObject(b -> b.bucket(bucket).key(key)), "delete", key);
    }

    @Override
    public void close() {
        client.close();
        if (uploadClient != client) {
            uploadClient.close();
        }
    }

    /**
     * The {@link FailureKind} of a failure the SDK reported, as this backend sets it on the
     * {@link StorageException}s it raises (NoSuchBucket is never "no such object").
     */
    public static FailureKind kindOf(Throwable sdkFailure) {
        return S3Calls.kindOf(sdkFailure);
    }

    static String unquote(String etag) {
        if (etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
            return etag.substring(1, etag.length() - 1);
        }
        return etag;
    }
}
