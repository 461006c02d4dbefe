package io.tieredarchive.source.copy;

import io.tieredarchive.config.S3Connection;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The copy of one object in progress: what is copied where, and the S3 calls made for it (counted for the
 * requests-per-object metric; parts run on several threads, hence the atomic counter).
 */
public final class ObjectJob {

    private final SourceObject source;
    private final String destinationKey;
    private final AtomicInteger requests = new AtomicInteger();
    private final long startNanos;

    public ObjectJob(SourceObject source, String destinationKey) {
        this.source = source;
        this.destinationKey = destinationKey;
        this.startNanos = System.nanoTime();
    }

    /** The same copy for the source object as it is now (after it changed), keeping the count and the clock. */
    ObjectJob(ObjectJob previous, SourceObject current) {
        this.source = current;
        this.destinationKey = previous.destinationKey;
        this.requests.set(previous.requests.get());
        this.startNanos = previous.startNanos;
    }

    public SourceObject source() {
        return source;
    }

    public String destinationKey() {
        return destinationKey;
    }

    public int requests() {
        return requests.get();
    }

    public long elapsedMs() {
        return (System.nanoTime() - startNanos) / 1_000_000L;
    }

    /** Sends one S3 request and waits for it; failures are classified by {@link S3Failures}. */
    public <T> T call(S3Failures.Operation op, S3Connection connection, String key,
                      Supplier<CompletableFuture<T>> request) throws CopyException, InterruptedException {
        if (Thread.interrupted()) {
            // Stopping (or the upload this request belongs to is being aborted): send nothing more.
            throw new InterruptedException("not sending a request to s3://" + connection.bucket() + "/" + key);
        }
        requests.incrementAndGet();
        return S3Failures.await(request.get(), op, connection, key);
    }
}
