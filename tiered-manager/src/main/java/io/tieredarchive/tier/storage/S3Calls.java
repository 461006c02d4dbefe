package io.tieredarchive.tier.storage;

import io.tieredarchive.s3.S3ClientFactory;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.time.Duration;
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
 * the operation and the object ({@link ObjectNotFoundException} for 404, {@link PreconditionFailedException} for
 * 412 and 409).
 *
 * <p>Requests that send a body ({@link #sending}) start only while fewer than {@code s3.max.concurrency} of them are
 * in flight: the SDK counts the wait for a connection against a request's attempt timeout, so several files and
 * parts queued at once in its pool could time out on a slow link before sending a byte; they wait here instead.
 */
final class S3Calls {

    static final int NOT_FOUND = 404;
    private static final int PRECONDITION_FAILED = 412;
    private static final int CONFLICT = 409;
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
        if (t instanceof NoSuchKeyException || (t instanceof S3Exception s3 && s3.statusCode() == NOT_FOUND)) {
            return new ObjectNotFoundException(message, t);
        }
        if (t instanceof S3Exception s3 && (s3.statusCode() == PRECONDITION_FAILED || s3.statusCode() == CONFLICT)) {
            return new PreconditionFailedException(message, t);
        }
        return new StorageException(message, t);
    }

    /** The S3 error behind {@code e}, or null when it is not an answer of the store. */
    static S3Exception s3Error(StorageException e) {
        return e.getCause() instanceof S3Exception s3 ? s3 : null;
    }

    String describe(String key) {
        return location + key;
    }
}
