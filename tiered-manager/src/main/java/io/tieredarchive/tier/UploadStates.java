package io.tieredarchive.tier;

import io.tieredarchive.tier.remote.ArchivePartition;

import java.util.HashMap;
import java.util.Map;

/**
 * Per partition of a tiering service: the end of what is tiered, and the backoff of a partition whose upload
 * failed ({@link TieringSettings#backoffMs}). Not thread-safe: the service calls it under its own lock.
 */
final class UploadStates {

    private static final class State {
        long tieredEnd = -1;
        int failures;
        long nextAttemptAtMs;
    }

    private final Map<ArchivePartition, State> states = new HashMap<>();
    private final TieringSettings settings;

    UploadStates(TieringSettings settings) {
        this.settings = settings;
    }

    /** A segment of {@code p} ending before {@code nextOffset} is tiered. */
    void tiered(ArchivePartition p, long nextOffset) {
        State s = states.computeIfAbsent(p, k -> new State());
        s.tieredEnd = Math.max(s.tieredEnd, nextOffset);
    }

    /** Sets the tiered end of {@code p} to what the store holds now (it may have lost segments). */
    void resetTieredEnd(ArchivePartition p, long end) {
        states.computeIfAbsent(p, k -> new State()).tieredEnd = end;
    }

    /** The end of what is tiered of {@code p}, or -1. */
    long tieredEnd(ArchivePartition p) {
        State s = states.get(p);
        return s == null ? -1 : s.tieredEnd;
    }

    /** True when {@code p} is not waiting out a backoff at {@code nowMs}. */
    boolean ready(ArchivePartition p, long nowMs) {
        State s = states.get(p);
        return s == null || s.nextAttemptAtMs <= nowMs;
    }

    void succeeded(ArchivePartition p) {
        State s = states.computeIfAbsent(p, k -> new State());
        s.failures = 0;
        s.nextAttemptAtMs = 0;
    }

    /** Records a failed upload of {@code p}; returns the failures in a row and sets the next attempt's time. */
    int failed(ArchivePartition p, long nowMs) {
        State s = states.computeIfAbsent(p, k -> new State());
        s.failures++;
        s.nextAttemptAtMs = nowMs + settings.backoffMs(s.failures);
        return s.failures;
    }

    /** How long {@code p} waits before its next attempt, as of {@code nowMs}. */
    long waitMs(ArchivePartition p, long nowMs) {
        State s = states.get(p);
        return s == null ? 0 : Math.max(0, s.nextAttemptAtMs - nowMs);
    }
}
