package io.tieredarchive.tier;

import java.util.List;

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

    synchronized TieringStats snapshot(List<LocalSegment> local) {
        long localBytes = 0;
        long pendingBytes = 0;
        int pending = 0;
        for (LocalSegment s : local) {
            localBytes += s.bytes();
            if (!s.tiered()) {
                pending++;
                pendingBytes += s.bytes();
            }
        }
        return new TieringStats(local.size(), localBytes, pending, pendingBytes, uploadedSegments, uploadedBytes,
                deletedSegments, deletedBytes, failedAttempts, lastError, lastPassAtMs);
    }
}
