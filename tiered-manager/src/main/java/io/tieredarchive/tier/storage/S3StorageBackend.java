package io.tieredarchive.tier.storage;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.s3.S3WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.transfer.s3.S3TransferManager;
import software.amazon.awssdk.transfer.s3.model.CompletedFileUpload;
import software.amazon.awssdk.transfer.s3.model.UploadFileRequest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An S3 bucket (AWS or any S3-compatible store) through the AWS SDK v2, with two clients:
 * <ul>
 *   <li>file uploads go through the {@link S3TransferManager} on a client with the SDK's multipart support (files
 *       above {@code s3.part.size.bytes} go up in parts of that size, at most {@code s3.max.concurrency} requests
 *       in flight);</li>
 *   <li>every other call (HEAD, LIST, ranged GET, conditional PUT, DELETE) is one request on a plain client whose
 *       attempts and calls are bounded in time ({@link S3ClientFactory#requestClient}).</li>
 * </ul>
 * The SDK's retry strategy retries each request up to {@code s3.retry.max.attempts} times. Storage class and SSE
 * are set on every object created. Conditional writes use {@code If-Match} / {@code If-None-Match: *}.
 *
 * <p>Each call blocks its thread until S3 answers, and never longer than its time bound plus a margin: the SDK has
 * had futures that never complete (a multipart-enabled client's GET to a store that refuses connections), and a
 * tiering pass must not wait for ever on one. A call past its bound is cancelled and fails with a
 * {@link StorageException} saying so. Callers that want concurrency call from several threads.
 */
public final class S3StorageBackend implements StorageBackend {

    private static final Logger log = LoggerFactory.getLogger(S3StorageBackend.class);
    private static final int PRECONDITION_FAILED = 412;
    private static final int CONFLICT = 409;
    private static final int NOT_FOUND = 404;
    private static final int RANGE_NOT_SATISFIABLE = 416;
    /** The bound of a whole request call (retries included) of the backend that {@link #create} builds. */
    public static final Duration CALL_TIMEOUT = Duration.ofMinutes(5);
    /** How long past the SDK's own bound a call is awaited before it is cancelled here (at most the bound again). */
    static final Duration MARGIN = Duration.ofSeconds(30);

    private final S3AsyncClient client;
    private final S3AsyncClient uploadClient;
    private final S3TransferManager transferManager;
    private final String bucket;
    private final S3WriteOptions writeOptions;
    private final Duration callTimeout;

    /**
     * A backend that sends everything through {@code client}, waiting for each call at most {@code callTimeout}
     * (null: as long as it takes), uploads included. Takes ownership of {@code client}: {@link #close()} closes it.
     */
    public S3StorageBackend(S3AsyncClient client, String bucket, S3WriteOptions writeOptions, Duration callTimeout) {
        this(client, client, bucket, writeOptions, callTimeout);
    }

    /**
     * A backend that uploads files through {@code uploadClient} and sends every other request through
     * {@code client}; a request call is awaited at most {@code callTimeout} (null: as long as it takes), an upload
     * at most {@code callTimeout} plus the file's size at the slowest rate an upload is given time for. Takes
     * ownership of both clients.
     */
    public S3StorageBackend(S3AsyncClient client, S3AsyncClient uploadClient, String bucket,
                            S3WriteOptions writeOptions, Duration callTimeout) {
        this.client = client;
        this.uploadClient = uploadClient;
        this.bucket = bucket;
        this.writeOptions = writeOptions;
        this.callTimeout = callTimeout;
        this.transferManager = S3TransferManager.builder().s3Client(uploadClient).build();
    }

    /**
     * A backend on the bucket of {@code connection}: a multipart-enabled client for uploads and a bounded
     * single-request client ({@link #CALL_TIMEOUT} per call) for the rest.
     */
    public static S3StorageBackend create(S3Connection connection) {
        return new S3StorageBackend(S3ClientFactory.requestClient(connection, CALL_TIMEOUT),
                S3ClientFactory.multipartAsyncClient(connection), connection.bucket(), S3WriteOptions.of(connection),
                CALL_TIMEOUT);
    }

    /**
     * A read-mostly backend for answering requests: one bounded single-request client ({@code callTimeout} per
     * call, retries included) for everything.
     */
    public static S3StorageBackend forRequests(S3Connection connection, Duration callTimeout) {
        return new S3StorageBackend(S3ClientFactory.requestClient(connection, callTimeout), connection.bucket(),
                S3WriteOptions.of(connection), callTimeout);
    }

    @Override
    public String location() {
        return "s3://" + bucket + "/";
    }

    @Override
    public ObjectInfo upload(String key, Path file, Map<String, String> metadata) throws StorageException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new StorageException("Cannot upload " + file + " to " + describe(key) + ": the file does not exist",
                    e);
        } catch (IOException e) {
            throw new StorageException("Cannot upload " + file + " to " + describe(key) + ": " + e, e);
        }
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(key).metadata(metadata);
        writeOptions.applyTo(put);
        UploadFileRequest request = UploadFileRequest.builder().putObjectRequest(put.build()).source(file).build();
        Duration bound = callTimeout == null ? null
                : callTimeout.plus(Duration.ofSeconds(size / S3ClientFactory.MIN_UPLOAD_BYTES_PER_SECOND));
        CompletedFileUpload done = await(transferManager.uploadFile(request).completionFuture(), "upload", key,
                bound);
        log.debug("Uploaded {} ({} bytes) to {}", file, size, describe(key));
        return new ObjectInfo(key, size, unquote(done.response().eTag()), metadata);
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
            response = await(client.putObject(put.build(), AsyncRequestBody.fromBytes(content)), "conditional put",
                    key);
        } catch (ObjectNotFoundException e) {
            // If-Match on a missing object: S3 answers 404, which for a compare-and-set means "changed".
            throw new PreconditionFailedException(e.getMessage(), e);
        }
        return new ObjectInfo(key, content.length, unquote(response.eTag()), Map.of());
    }

    @Override
    public byte[] fetch(String key, long position, int length) throws StorageException {
        if (length == 0) {
            return new byte[0];
        }
        String range = length < 0 ? "bytes=" + position + "-" : "bytes=" + position + "-" + (position + length - 1);
        try {
            ResponseBytes<GetObjectResponse> bytes = await(client.getObject(b -> b.bucket(bucket).key(key)
                    .range(range), AsyncResponseTransformer.toBytes()), "get " + range + " of", key);
            return bytes.asByteArrayUnsafe();
        } catch (StorageException e) {
            if (e.getCause() instanceof S3Exception s3 && s3.statusCode() == RANGE_NOT_SATISFIABLE) {
                return new byte[0]; // position at or past the end
            }
            throw e;
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix, String startAfter, int maxKeys) throws StorageException {
        ListObjectsV2Response page = await(client.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)
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
            ListObjectsV2Response page = await(client.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)
                    .delimiter("/").continuationToken(continuation)), "list folders of", prefix);
            for (CommonPrefix common : page.commonPrefixes()) {
                String p = common.prefix();
                folders.add(p.substring(prefix.length(), p.length() - 1));
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return folders;
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws StorageException {
        try {
            HeadObjectResponse head = await(client.headObject(b -> b.bucket(bucket).key(key)), "head", key);
            return Optional.of(new ObjectInfo(key, head.contentLength(), unquote(head.eTag()), head.metadata()));
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String key) throws StorageException {
        await(client.deleteObject(b -> b.bucket(bucket).key(key)), "delete", key);
    }

    @Override
    public void close() {
        transferManager.close();
        client.close();
        if (uploadClient != client) {
            uploadClient.close();
        }
    }

    private <T> T await(CompletableFuture<T> future, String operation, String key) throws StorageException {
        return await(future, operation, key, callTimeout);
    }

    /**
     * Waits for {@code future}, at most {@code bound} plus a margin (null: for ever); turns its failure into a
     * {@link StorageException} naming the operation and key.
     */
    private <T> T await(CompletableFuture<T> future, String operation, String key, Duration bound)
            throws StorageException {
        Duration limit = bound == null ? null : bound.plus(bound.compareTo(MARGIN) < 0 ? bound : MARGIN);
        try {
            return limit == null ? future.get() : future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new StorageException("Interrupted during S3 " + operation + " " + describe(key), e);
        } catch (ExecutionException e) {
            throw translate(e.getCause(), operation, key);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new StorageException("S3 " + operation + " " + describe(key) + " did not complete within "
                    + limit.toMillis() + " ms; cancelled (the SDK did not end it itself)", e);
        }
    }

    private StorageException translate(Throwable cause, String operation, String key) {
        Throwable t = cause;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        String message = "S3 " + operation + " " + describe(key) + " failed: " + t.getMessage();
        if (t instanceof NoSuchKeyException || (t instanceof S3Exception s3 && s3.statusCode() == NOT_FOUND)) {
            return new ObjectNotFoundException(message, t);
        }
        if (t instanceof S3Exception s3 && (s3.statusCode() == PRECONDITION_FAILED || s3.statusCode() == CONFLICT)) {
            return new PreconditionFailedException(message, t);
        }
        return new StorageException(message, t);
    }

    private String describe(String key) {
        return location() + key;
    }

    private static String unquote(String etag) {
        if (etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
            return etag.substring(1, etag.length() - 1);
        }
        return etag;
    }
}
