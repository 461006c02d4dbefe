package io.tieredarchive.source.copy;

import io.tieredarchive.failure.Backoff;
import io.tieredarchive.failure.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The threads of one task: {@code copy.concurrency} object threads (one object each), {@code copy.concurrency}
 * part threads (the parts of multipart copies, shared by all objects), and one thread that schedules retries.
 * Results go to the {@link ListingOrderTracker}. A transient failure is retried with exponential backoff
 * ({@link Backoff#COPY_OBJECT}: 1 s to 1 min), without limit: the store may be away for a while. A copy that does not verify is tried
 * {@value #MAX_VERIFY_ATTEMPTS} times, then the task fails, as it does at once on a fatal failure.
 */
public final class CopyWorkers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CopyWorkers.class);
    static final int MAX_VERIFY_ATTEMPTS = 3;
    private static final long STOP_TIMEOUT_SECONDS = 15;

    private final ExecutorService objectThreads;
    private final ExecutorService partThreads;
    private final ScheduledExecutorService retryThread;
    private final ObjectCopier copier;
    private final ListingOrderTracker<CopyResult> tracker;
    private final CopyMetrics metrics;
    private final Consumer<CopyException> onFatal;
    private final Consumer<CopyException> onRetry;

    /**
     * @param copierFactory makes the copier, given the part threads
     * @param onFatal       told of a failure that must fail the task
     * @param onRetry       told of a transient failure that is being retried
     */
    public CopyWorkers(String name, int concurrency, Function<ExecutorService, ObjectCopier> copierFactory,
                       ListingOrderTracker<CopyResult> tracker, CopyMetrics metrics,
                       Consumer<CopyException> onFatal, Consumer<CopyException> onRetry) {
        this.objectThreads = Executors.newFixedThreadPool(concurrency, threads(name + "-object"));
        this.partThreads = Executors.newFixedThreadPool(concurrency, threads(name + "-part"));
        this.retryThread = Executors.newSingleThreadScheduledExecutor(threads(name + "-retry"));
        this.copier = copierFactory.apply(partThreads);
        this.tracker = tracker;
        this.metrics = metrics;
        this.onFatal = onFatal;
        this.onRetry = onRetry;
    }

    /** Copies the object (registered with the tracker) in the background. */
    public void submit(SourceObject object, String destinationKey) {
        submit(new Pending(object, destinationKey, 1));
    }

    private void submit(Pending pending) {
        try {
            objectThreads.execute(() -> run(pending));
        } catch (RejectedExecutionException stopping) {
            log.debug("Not copying s3 key {}: the task is stopping", pending.object.key());
        }
    }

    private void run(Pending pending) {
        try {
            tracker.complete(pending.object.key(), copier.copy(pending.object, pending.destinationKey));
        } catch (CopyException e) {
            failed(pending, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            onFatal.accept(new CopyException(CopyException.Kind.FATAL, "Unexpected failure copying "
                    + pending.object.key() + ": " + e, e));
        }
    }

    private void failed(Pending pending, CopyException e) {
        boolean retriable = Failures.retriable(e.failureKind())
                || (e.kind() == CopyException.Kind.VERIFY_FAILED && pending.attempt < MAX_VERIFY_ATTEMPTS);
        if (!retriable) {
            onFatal.accept(e.kind() == CopyException.Kind.VERIFY_FAILED ? new CopyException(
                    CopyException.Kind.FATAL, "Gave up after " + pending.attempt + " attempts: " + e.getMessage(), e)
                    : e);
            return;
        }
        long delayMs = Backoff.COPY_OBJECT.delayMs(pending.attempt);
        log.warn("{}; copying it again in {} ms (attempt {})", e.getMessage(), delayMs, pending.attempt + 1);
        metrics.retried();
        onRetry.accept(e);
        try {
            retryThread.schedule(() -> submit(pending.next()), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            log.debug("Not retrying {}: the task is stopping", pending.object.key());
        }
    }

    /** Stops all copies in flight (their multipart uploads are aborted) and waits for the threads to end. */
    @Override
    public void close() {
        retryThread.shutdownNow();
        objectThreads.shutdownNow();
        partThreads.shutdownNow();
        try {
            if (!objectThreads.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    || !partThreads.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                log.warn("Copy threads did not stop within {} s", STOP_TIMEOUT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private record Pending(SourceObject object, String destinationKey, int attempt) {
        Pending next() {
            return new Pending(object, destinationKey, attempt + 1);
        }
    }
}
