package io.tieredarchive.source.copy;

import io.tieredarchive.config.S3Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One multipart upload at the destination, its parts produced in parallel on the part pool (by UploadPartCopy or
 * by ranged GET + UploadPart). Any failure, or the task stopping, aborts the upload, so that no orphan parts are
 * left behind to be billed.
 */
final class MultipartUpload {

    private static final Logger log = LoggerFactory.getLogger(MultipartUpload.class);
    private static final long ABORT_TIMEOUT_SECONDS = 10;
    private static final int MAX_ABORTS = 3;
    private static final long ABORT_RETRY_DELAY_MS = 500;

    /** Produces one part of the upload. */
    interface PartWriter {
        CompletedPart write(String uploadId, PartPlan.Part part) throws CopyException, InterruptedException;
    }

    private final S3AsyncClient client;
    private final S3Connection connection;
    private final ExecutorService partPool;

    MultipartUpload(S3AsyncClient client, S3Connection connection, ExecutorService partPool) {
        this.client = client;
        this.connection = connection;
        this.partPool = partPool;
    }

    /** Creates the upload, writes every part of {@code plan}, completes it; returns the object's ETag. */
    String run(ObjectJob job, CreateMultipartUploadRequest create, PartPlan plan, PartWriter writer)
            throws CopyException, InterruptedException {
        String key = job.destinationKey();
        abortOrphans(key);
        String uploadId = job.call(S3Failures.Operation.WRITE, connection, key,
                () -> client.createMultipartUpload(create)).uploadId();
        List<Future<CompletedPart>> futures = new ArrayList<>(plan.count());
        PartsInFlight inFlight = new PartsInFlight();
        boolean completed = false;
        try {
            CompletionService<CompletedPart> parts = new ExecutorCompletionService<>(partPool);
            for (PartPlan.Part part : plan.parts()) {
                futures.add(parts.submit(() -> inFlight.run(() -> writer.write(uploadId, part))));
            }
            List<CompletedPart> done = new ArrayList<>(plan.count());
            for (int i = 0; i < plan.count(); i++) {
                done.add(result(parts.take()));
            }
            done.sort(Comparator.comparing(CompletedPart::partNumber));
            CompleteMultipartUploadResponse response = job.call(S3Failures.Operation.WRITE, connection, key,
                    () -> client.completeMultipartUpload(b -> b.bucket(connection.bucket()).key(key)
                            .uploadId(uploadId).multipartUpload(m -> m.parts(done))));
            completed = true;
            return response.eTag();
        } finally {
            if (!completed) {
                inFlight.stop();
                futures.forEach(f -> f.cancel(true));
                // A part still being written when the upload is aborted could land after the abort and leave an
                // orphan part at the destination: wait until every part writer has returned, then abort.
                inFlight.awaitNone(ABORT_TIMEOUT_SECONDS);
                abort(key, uploadId);
            }
        }
    }

    private static CompletedPart result(Future<CompletedPart> future) throws CopyException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CopyException ce) {
                throw ce;
            }
            if (cause instanceof InterruptedException ie) {
                throw ie;
            }
            throw new CopyException(CopyException.Kind.FATAL, "Unexpected failure writing a part: " + cause, cause);
        }
    }

    /**
     * Aborts the multipart uploads of {@code key} still open at the destination before a new one starts. Only this
     * task writes the key (its shard), and a task aborts its own uploads when it fails or stops, so an open one was
     * left by a task that died in the middle of copying the object (a worker killed, a machine lost), which is why
     * the object is copied again now. Best effort: a store that cannot list uploads keeps such parts until its
     * lifecycle rule for incomplete multipart uploads removes them.
     */
    private void abortOrphans(String key) throws InterruptedException {
        List<software.amazon.awssdk.services.s3.model.MultipartUpload> open;
        try {
            open = client.listMultipartUploads(b -> b.bucket(connection.bucket()).prefix(key))
                    .get(ABORT_TIMEOUT_SECONDS, TimeUnit.SECONDS).uploads();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Could not list the open multipart uploads of s3://{}/{}; any left by a worker that died stay "
                    + "until a lifecycle rule removes them: {}", connection.bucket(), key, e.toString());
            return;
        }
        for (var upload : open) {
            if (key.equals(upload.key())) {
                log.info("Aborting multipart upload {} of s3://{}/{}, started {} and left open by a task that "
                        + "died while copying it", upload.uploadId(), connection.bucket(), key, upload.initiated());
                abort(key, upload.uploadId());
            }
        }
    }

    /**
     * Best effort, also when the task is stopping (interrupted): the interrupt is kept for the caller. As S3
     * advises, the abort is checked with ListParts and repeated while parts are still listed (a part upload that
     * was already on its way when the abort arrived).
     */
    private void abort(String key, String uploadId) {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 1; ; attempt++) {
                client.abortMultipartUpload(b -> b.bucket(connection.bucket()).key(key).uploadId(uploadId))
                        .get(ABORT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (!partsRemain(key, uploadId) || attempt == MAX_ABORTS) {
                    break;
                }
                log.info("Parts of aborted multipart upload {} of s3://{}/{} are still listed; aborting it again",
                        uploadId, connection.bucket(), key);
                Thread.sleep(ABORT_RETRY_DELAY_MS);
            }
            log.debug("Aborted multipart upload {} of s3://{}/{}", uploadId, connection.bucket(), key);
        } catch (Exception e) {
            log.warn("Could not abort multipart upload {} of s3://{}/{}; a lifecycle rule for incomplete multipart "
                    + "uploads removes its parts: {}", uploadId, connection.bucket(), key, e.toString());
            if (e instanceof InterruptedException) {
                interrupted = true;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True if ListParts still shows parts of the upload; an upload that is gone (404 NoSuchUpload) has none. */
    private boolean partsRemain(String key, String uploadId) throws Exception {
        try {
            return !client.listParts(b -> b.bucket(connection.bucket()).key(key).uploadId(uploadId))
                    .get(ABORT_TIMEOUT_SECONDS, TimeUnit.SECONDS).parts().isEmpty();
        } catch (ExecutionException e) {
            if (!S3Failures.isNotFound(e.getCause())) {
                log.debug("Could not list the parts of aborted upload {} of s3://{}/{}: {}", uploadId,
                        connection.bucket(), key, e.getCause().toString());
            }
            return false;
        }
    }

    /** Counts the part writers running, so that an abort can wait until none is left. */
    private static final class PartsInFlight {
        private int running;
        private boolean stopped;

        CompletedPart run(Callable<CompletedPart> part) throws Exception {
            synchronized (this) {
                if (stopped) {
                    throw new CancellationException("the upload is being aborted");
                }
                running++;
            }
            try {
                return part.call();
            } finally {
                synchronized (this) {
                    running--;
                    notifyAll();
                }
            }
        }

        synchronized void stop() {
            stopped = true;
        }

        /** Waits (keeping any interrupt for the caller) until no part writer runs, at most {@code seconds}. */
        synchronized void awaitNone(long seconds) {
            boolean interrupted = Thread.interrupted();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            try {
                while (running > 0) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        log.warn("{} part writer(s) still running after {} s; aborting the upload anyway",
                                running, seconds);
                        return;
                    }
                    try {
                        wait(left);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
