package io.tieredarchive.rest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The restore jobs of this worker: {@code threads} run at once, {@code queueSize} more wait, and one more is refused
 * (429) rather than queued without bound, so that callers cannot pile work on the worker; no request thread ever
 * waits for a restore. A finished job's status is kept for {@code retention}, and at most {@code retained} of them
 * (the oldest forgotten first). Two jobs never write into one directory at once (409).
 */
final class RestoreJobs implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RestoreJobs.class);

    private final ThreadPoolExecutor executor;
    private final int threads;
    private final int queueSize;
    private final int retained;
    private final long retentionMs;
    private final LongSupplier clock;
    /** Every job known, in submission order; guarded by {@code this}. */
    private final Map<String, RestoreJob> jobs = new LinkedHashMap<>();
    /** The directory of each job not finished; guarded by {@code this}. */
    private final Map<Path, String> writing = new HashMap<>();

    RestoreJobs(int threads, int queueSize, int retained, Duration retention, LongSupplier clock) {
        this.threads = threads;
        this.queueSize = queueSize;
        this.retained = retained;
        this.retentionMs = retention.toMillis();
        this.clock = clock;
        BlockingQueue<Runnable> queue = queueSize == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queueSize);
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, queue, r -> {
            Thread t = new Thread(r, "tiered-archive-restore-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Queues a job writing into {@code directory}.
     *
     * @throws RestException 409 when a job writes into {@code directory} now, 429 when the queue is full
     */
    synchronized RestoreJob submit(Map<String, Object> request, Path directory, RestoreJob.Work work)
            throws RestException {
        prune();
        String busy = writing.get(directory);
        if (busy != null) {
            throw new RestException(409, "Restore job " + busy + " is writing into " + directory + " now; wait for it"
                    + " (GET /tiered-archive/restore/" + busy + ") or name another directory");
        }
        RestoreJob job = new RestoreJob(UUID.randomUUID().toString(), request, directory, clock.getAsLong());
        jobs.put(job.id(), job);
        writing.put(directory, job.id());
        try {
            executor.execute(() -> run(job, work));
        } catch (RejectedExecutionException e) {
            jobs.remove(job.id());
            writing.remove(directory);
            throw new RestException(429, "This worker runs " + threads + " restore job(s) at once and queues "
                    + queueSize + " more, and both are full (" + executor.getActiveCount() + " running); try again "
                    + "when a job has finished, or ask another worker");
        }
        log.info("Restore job {} queued: {} into {}", job.id(), request, directory);
        return job;
    }

    synchronized Optional<RestoreJob> find(String id) {
        prune();
        return Optional.ofNullable(jobs.get(id));
    }

    private void run(RestoreJob job, RestoreJob.Work work) {
        job.started(clock.getAsLong());
        try {
            job.succeeded(work.run(job), clock.getAsLong());
            log.info("Restore job {} succeeded into {}", job.id(), job.directory());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.failed("The worker stopped while this job ran", clock.getAsLong());
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            job.failed(message, clock.getAsLong());
            log.warn("Restore job {} into {} failed: {}", job.id(), job.directory(), message);
        } finally {
            synchronized (this) {
                writing.remove(job.directory(), job.id());
            }
        }
    }

    /** Forgets finished jobs past their retention, then the oldest finished ones beyond {@code retained}. */
    private void prune() {
        long now = clock.getAsLong();
        int finished = 0;
        for (Iterator<RestoreJob> it = jobs.values().iterator(); it.hasNext(); ) {
            RestoreJob job = it.next();
            if (job.finished()) {
                if (job.finishedAtMs() + retentionMs <= now) {
                    it.remove();
                } else {
                    finished++;
                }
            }
        }
        while (finished > retained) {
            RestoreJob oldest = null;
            for (RestoreJob job : jobs.values()) {
                if (job.finished() && (oldest == null || job.finishedAtMs() < oldest.finishedAtMs())) {
                    oldest = job;
                }
            }
            jobs.remove(oldest.id());
            finished--;
        }
    }

    /** Stops the jobs: running ones are interrupted, queued ones fail without running. */
    @Override
    public void close() {
        executor.shutdownNow();
        synchronized (this) {
            for (RestoreJob job : jobs.values()) {
                if (job.queued()) {
                    job.failed("The worker stopped before this job ran", clock.getAsLong());
                }
            }
        }
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("Restore jobs still running 30 s after the REST extension closed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
