package io.tieredarchive.tier.storage;

import io.tieredarchive.failure.FailureKind;
import io.tieredarchive.s3.S3ClientFactory;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * How {@link S3StorageBackend} waits for the SDK: each call blocks its thread until S3 answers, and never longer
 * than its time bound plus a margin. The SDK has had futures that never complete (a multipart-enabled client's GET
 * to a store that refuses connections), and a tiering pass must not wait for ever on one: a call past its bound is
 * cancelled and fails with a {@link StorageException} saying so. Failures become {@link StorageException}s that name
 * the operation and the object, of the {@link FailureKind} the store's answer says ({@link #kindOf}): this is the
 * one place of the storage core that reads the SDK's exceptions.
 *
 * <p>Requests that send a body ({@link #sending}) start only while fewer than {@code s3.max.concurrency} of them are
 * in flight: the SDK counts the wait for a connection against a request's attempt timeout, so several files and
 * parts queued at once in its pool could time out on a slow link before sending a byte; they wait here instead.
 */
final class S3Calls {

    static final int NOT_FOUND = 404;
    private static final int FORBIDDEN = 403;
    private static final int PRECONDITION_FAILED = 412;
    private static final int CONFLICT = 409;
    private static final int REQUEST_TIMEOUT = 408;
    private static final int TOO_MANY_REQUESTS = 429;
    private static final int SERVER_ERROR = 500;
    static final String NO_SUCH_BUCKET = "NoSuchBucket";
    /** 4xx error codes of a request damaged or refused in passing: sent again, they may pass (the bucket copy's
     *  {@code S3Failures} retries the same). */
    private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "RequestTimeout", "BadDigest",
            "InvalidDigest", "XAmzContentChecksumMismatch", "IncompleteBody", "RequestTimeTooSkewed",
            "OperationAborted");
    /** How long past the SDK's own bound a call is awaited before it is cancelled here (at most the bound again). */
    static final Duration MARGIN = Duration.ofSeconds(30);

    private final String location;
    private final Duration callTimeout;
    private final Semaphore sendingRequests;

    /**
     * @param location        {@code s3://bucket/}, for messages
     * @param callTimeout     the bound of a request call, retries included (null: as long as it takes)
     * @param maxSending      the most requests sending a body at once
     */
    S3Calls(String location, Duration callTimeout, int maxSending) {
        this.location = location;
        this.callTimeout = callTimeout;
        this.sendingRequests = new Semaphore(Math.max(1, maxSending));
    }

    /** Starts a request that sends a body once fewer than the most allowed are in flight. */
    <T> CompletableFuture<T> sending(Supplier<CompletableFuture<T>> request, String operation, String key)
            throws StorageException {
        try {
            sendingRequests.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("Interrupted before S3 " + operation + " " + describe(key), e);
        }
        CompletableFuture<T> future;
        try {
            future = request.get();
        } catch (RuntimeException e) {
            sendingRequests.release();
            throw e;
        }
        future.whenComplete((result, failure) -> sendingRequests.release());
        return future;
    }

    /** Waits for a request call, at most the call bound (plus the margin). */
    <T> T await(CompletableFuture<T> future, String operation, String key) throws StorageException {
        return await(future, operation, key, callTimeout);
    }

    /** Waits for a request that sends {@code bytes}: the call bound plus the bytes at the slowest rate allowed. */
    <T> T awaitSending(CompletableFuture<T> future, String operation, String key, long bytes)
            throws StorageException {
        Duration bound = callTimeout == null ? null
                : callTimeout.plus(Duration.ofSeconds(bytes / S3ClientFactory.MIN_UPLOAD_BYTES_PER_SECOND));
        return await(future, operation, key, bound);
    }

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
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String message = "S3 " + operation + " " + describe(key) + " failed: " + t.getMessage();
        FailureKind kind = kindOf(t);
        return switch (kind) {
            case NOT_FOUND -> new ObjectNotFoundException(message, t);
            case PRECONDITION_FAILED -> new PreconditionFailedException(message, t);
            case BUCKET_MISSING -> new StorageException(kind, "S3 bucket '" + bucket() + "' does not exist: "
                    + message, t);
            default -> new StorageException(kind, message, t);
        };
    }

    /**
     * What an SDK failure is: NoSuchBucket is {@link FailureKind#BUCKET_MISSING} (never "no such object"), another
     * 404 {@link FailureKind#NOT_FOUND}, 412 and 409 {@link FailureKind#PRECONDITION_FAILED}, 403
     * {@link FailureKind#ACCESS_DENIED}, 5xx, 408, 429 and the codes of a damaged request
     * {@link FailureKind#TRANSIENT}, any other answer of the store {@link FailureKind#FATAL}; no answer at all
     * (the network, a timeout) {@link FailureKind#TRANSIENT}.
     */
    static FailureKind kindOf(Throwable t) {
        if (t instanceof NoSuchBucketException) {
            return FailureKind.BUCKET_MISSING;
        }
        if (t instanceof NoSuchKeyException) {
            return FailureKind.NOT_FOUND;
        }
        if (!(t instanceof S3Exception s3)) {
            return FailureKind.TRANSIENT;
        }
        int status = s3.statusCode();
        String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
        if (NO_SUCH_BUCKET.equals(code)) {
            return FailureKind.BUCKET_MISSING;
        }
        if (status == NOT_FOUND) {
            return FailureKind.NOT_FOUND;
        }
        if (status == PRECONDITION_FAILED || status == CONFLICT) {
            return FailureKind.PRECONDITION_FAILED;
        }
        if (status == FORBIDDEN) {
            return FailureKind.ACCESS_DENIED;
        }
        if (status >= SERVER_ERROR || status == REQUEST_TIMEOUT || status == TOO_MANY_REQUESTS
                || TRANSIENT_CODES.contains(code)) {
            return FailureKind.TRANSIENT;
        }
        return FailureKind.FATAL;
    }

    private String bucket() {
        String b = location.substring("s3://".length());
        return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    }

    /** The S3 error behind {@code e}, or null when it is not an answer of the store. */
    static S3Exception s3Error(StorageException e) {
        return e.getCause() instanceof S3Exception s3 ? s3 : null;
    }

    String describe(String key) {
        return location + key;
    }
}
