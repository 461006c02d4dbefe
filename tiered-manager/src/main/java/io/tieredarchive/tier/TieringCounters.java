package io.tieredarchive.tier;

import java.util.List;
import java.util.function.Predicate;

/** The running totals behind {@link TieringStats}. Thread-safe. */
final class TieringCounters {

    private long uploadedSegments;
    private long uploadedBytes;
    private long deletedSegments;
    private long deletedBytes;
    private long failedAttempts;
    private String lastError;
    private long lastPassAtMs;

    synchronized void uploaded(int count, long bytes) {
        uploadedSegments += count;
        uploadedBytes += bytes;
    }

    synchronized void deleted(long bytes) {
        deletedSegments++;
        deletedBytes += bytes;
    }

    synchronized void failed(String message) {
        failedAttempts++;
        lastError = message;
    }

    synchronized void passEnded(long nowMs) {
        lastPassAtMs = nowMs;
    }

    /** The stats of {@code local}; {@code uploadable} tells a pending segment from a stranded one. */
    synchronized TieringStats snapshot(List<LocalSegment> local, Predicate<LocalSegment> uploadable) {
        long localBytes = 0;
        long pendingBytes = 0;
        int pending = 0;
        int stranded = 0;
        for (LocalSegment s : local) {
            localBytes += s.bytes();
            if (!s.tiered() && uploadable.test(s)) {
                pending++;
                pendingBytes += s.bytes();
            } else if (!s.tiered()) {
                stranded++;
            }
        }
        return new TieringStats(local.size(), localBytes, pending, pendingBytes, uploadedSegments, uploadedBytes,
                deletedSegments, deletedBytes, failedAttempts, lastError, lastPassAtMs, stranded);
    }
}
