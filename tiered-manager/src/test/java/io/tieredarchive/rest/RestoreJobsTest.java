package io.tieredarchive.rest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bounded restore jobs: state and progress, a full queue, one job per directory, retention, close. */
class RestoreJobsTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final CountDownLatch gate = new CountDownLatch(1);
    private RestoreJobs jobs;

    @AfterEach
    void tearDown() {
        gate.countDown();
        if (jobs != null) {
            jobs.close();
        }
    }

    private RestoreJobs jobs(int threads, int queue, int retained, Duration retention) {
        jobs = new RestoreJobs(threads, queue, retained, retention, clock::get);
        return jobs;
    }

    private RestoreJob.Work held() {
        return job -> {
            job.planned(2, 200);
            job.segmentDone(100);
            assertTrue(gate.await(60, TimeUnit.SECONDS), "never released");
            job.segmentDone(100);
            return Map.of("segments", 2);
        };
    }

    private static Map<String, Object> await(RestoreJob job) throws InterruptedException {
        for (int i = 0; i < 600 && !job.finished(); i++) {
            Thread.sleep(50);
        }
        assertTrue(job.finished(), "the job did not finish: " + job.toJson());
        return job.toJson();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> progress(Map<String, Object> json) {
        return (Map<String, Object>) json.get("progress");
    }

    @Test
    void aJobReportsItsProgressThenItsResult() throws Exception {
        RestoreJob job = jobs(1, 1, 10, Duration.ofHours(1)).submit(Map.of("topic", "orders"), Path.of("/r/a"),
                held());
        for (int i = 0; i < 600 && !"RUNNING".equals(job.toJson().get("state")); i++) {
            Thread.sleep(50);
        }
        Map<String, Object> running = job.toJson();
        assertEquals("RUNNING", running.get("state"), running.toString());
        gate.countDown();
        Map<String, Object> done = await(job);
        assertEquals("SUCCEEDED", done.get("state"));
        assertEquals(Map.of("segments", 2), done.get("result"));
        assertEquals(2, progress(done).get("segmentsDone"));
        assertEquals(200L, progress(done).get("bytesTotal"));
        assertEquals(Map.of("topic", "orders"), done.get("request"));
        assertEquals(job, jobs.find(job.id()).orElseThrow());
    }

    @Test
    void aFailureIsTheJobsErrorNotAnException() throws Exception {
        RestoreJob job = jobs(1, 1, 10, Duration.ofHours(1)).submit(Map.of(), Path.of("/r/a"), j -> {
            throw new java.io.IOException("disk full");
        });
        Map<String, Object> done = await(job);
        assertEquals("FAILED", done.get("state"));
        assertEquals("disk full", done.get("error"));
        assertNull(done.get("result"));
    }

    @Test
    void aFullQueueIsRefusedWith429AndTheQueuedJobsStillRun() throws Exception {
        jobs(1, 1, 10, Duration.ofHours(1));
        RestoreJob running = jobs.submit(Map.of(), Path.of("/r/a"), held());
        RestoreJob queued = jobs.submit(Map.of(), Path.of("/r/b"), held());
        RestException full = assertThrows(RestException.class, () -> jobs.submit(Map.of(), Path.of("/r/c"), held()));
        assertEquals(429, full.status());
        assertTrue(full.getMessage().contains("try again"), full.getMessage());
        gate.countDown();
        assertEquals("SUCCEEDED", await(running).get("state"));
        assertEquals("SUCCEEDED", await(queued).get("state"));
        assertEquals("SUCCEEDED", await(jobs.submit(Map.of(), Path.of("/r/c"), held())).get("state"),
                "room again once they ended");
    }

    @Test
    void oneDirectoryTakesOneJobAtATime() throws Exception {
        jobs(2, 2, 10, Duration.ofHours(1));
        RestoreJob first = jobs.submit(Map.of(), Path.of("/r/a"), held());
        RestException busy = assertThrows(RestException.class, () -> jobs.submit(Map.of(), Path.of("/r/a"), held()));
        assertEquals(409, busy.status());
        assertTrue(busy.getMessage().contains(first.id()), busy.getMessage());
        gate.countDown();
        await(first);
        await(jobs.submit(Map.of(), Path.of("/r/a"), held()));
    }

    @Test
    void finishedJobsAreForgottenAfterTheirRetentionAndBeyondTheirNumber() throws Exception {
        gate.countDown();
        jobs(1, 5, 2, Duration.ofMinutes(5));
        RestoreJob a = jobs.submit(Map.of(), Path.of("/r/a"), held());
        await(a);
        clock.addAndGet(1_000);
        RestoreJob b = jobs.submit(Map.of(), Path.of("/r/b"), held());
        await(b);
        clock.addAndGet(1_000);
        RestoreJob c = jobs.submit(Map.of(), Path.of("/r/c"), held());
        await(c);
        assertTrue(jobs.find(a.id()).isEmpty(), "the oldest beyond the number kept");
        assertTrue(jobs.find(b.id()).isPresent());
        assertTrue(jobs.find(c.id()).isPresent());
        clock.addAndGet(Duration.ofMinutes(5).toMillis());
        assertTrue(jobs.find(c.id()).isEmpty(), "past the retention");
        assertTrue(jobs.find(b.id()).isEmpty());
    }

    @Test
    void closingFailsTheQueuedJobsAndStopsTheRunningOne() throws Exception {
        jobs(1, 1, 10, Duration.ofHours(1));
        RestoreJob running = jobs.submit(Map.of(), Path.of("/r/a"), held());
        RestoreJob queued = jobs.submit(Map.of(), Path.of("/r/b"), held());
        jobs.close();
        assertEquals("FAILED", await(queued).get("state"));
        assertTrue(String.valueOf(queued.toJson().get("error")).contains("stopped before"));
        assertEquals("FAILED", await(running).get("state"));
        assertFalse(String.valueOf(running.toJson().get("error")).isEmpty());
    }
}
