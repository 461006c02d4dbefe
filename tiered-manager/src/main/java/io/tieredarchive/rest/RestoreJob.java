package io.tieredarchive.rest;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One restore over REST, run by {@link RestoreJobs}: what was asked, its state, its progress in segments and bytes,
 * then its result or its error. Thread-safe: the job's thread reports, requests read.
 */
final class RestoreJob {

    enum State { QUEUED, RUNNING, SUCCEEDED, FAILED }

    /** What a job does: restores, reporting its plan and progress to the job, and returns its result's fields. */
    @FunctionalInterface
    interface Work {
        Map<String, Object> run(RestoreJob job) throws Exception;
    }

    private final String id;
    private final Map<String, Object> request;
    private final Path directory;
    private final long submittedAtMs;
    private State state = State.QUEUED;
    private long startedAtMs = -1;
    private long finishedAtMs = -1;
    private int segmentsTotal = -1;
    private long bytesTotal = -1;
    private int segmentsDone;
    private long bytesDone;
    private Map<String, Object> result;
    private String error;

    RestoreJob(String id, Map<String, Object> request, Path directory, long submittedAtMs) {
        this.id = id;
        this.request = Collections.unmodifiableMap(new LinkedHashMap<>(request));
        this.directory = directory;
        this.submittedAtMs = submittedAtMs;
    }

    String id() {
        return id;
    }

    Path directory() {
        return directory;
    }

    synchronized boolean finished() {
        return state == State.SUCCEEDED || state == State.FAILED;
    }

    synchronized boolean queued() {
        return state == State.QUEUED;
    }

    synchronized long finishedAtMs() {
        return finishedAtMs;
    }

    synchronized void started(long nowMs) {
        state = State.RUNNING;
        startedAtMs = nowMs;
    }

    /** The segments and bytes the restore will bring back, known once the archive was listed. */
    synchronized void planned(int segments, long bytes) {
        segmentsTotal = segments;
        bytesTotal = bytes;
    }

    synchronized void segmentDone(long bytes) {
        segmentsDone++;
        bytesDone += bytes;
    }

    synchronized void succeeded(Map<String, Object> result, long nowMs) {
        this.result = result;
        state = State.SUCCEEDED;
        finishedAtMs = nowMs;
    }

    synchronized void failed(String error, long nowMs) {
        this.error = error;
        state = State.FAILED;
        finishedAtMs = nowMs;
    }

    /** The job as {@code GET /tiered-archive/restore/{id}} shows it. */
    synchronized Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("state", state.name());
        out.put("request", request);
        out.put("directory", directory.toString());
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("segmentsDone", segmentsDone);
        progress.put("segmentsTotal", segmentsTotal < 0 ? null : segmentsTotal);
        progress.put("bytesDone", bytesDone);
        progress.put("bytesTotal", bytesTotal < 0 ? null : bytesTotal);
        out.put("progress", progress);
        out.put("result", result);
        out.put("error", error);
        out.put("submittedAtMs", submittedAtMs);
        out.put("startedAtMs", startedAtMs < 0 ? null : startedAtMs);
        out.put("finishedAtMs", finishedAtMs < 0 ? null : finishedAtMs);
        return out;
    }
}
