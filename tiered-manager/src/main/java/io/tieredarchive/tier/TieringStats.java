package io.tieredarchive.tier;

/**
 * What a {@link TieringService} has done and holds, for metrics, the CLI and the REST extension.
 *
 * @param localSegments    sealed segments on local disk
 * @param localBytes       their bytes
 * @param pendingSegments  sealed local segments not yet tiered
 * @param pendingBytes     their bytes
 * @param uploadedSegments segments tiered since the service started
 * @param uploadedBytes    bytes sent for them
 * @param deletedSegments  local copies deleted since the service started
 * @param deletedBytes     their bytes
 * @param failedAttempts   failed partition uploads (each is retried with backoff)
 * @param lastError        the last failure's message, or null
 * @param lastPassAtMs     when the last pass ended, 0 before the first
 * @param strandedSegments sealed local segments sealed for a destination no connector here archives to any more:
 *                         not uploaded, not counted as pending (an ERROR names each, with what to do)
 */
public record TieringStats(int localSegments, long localBytes, int pendingSegments, long pendingBytes,
                           long uploadedSegments, long uploadedBytes, long deletedSegments, long deletedBytes,
                           long failedAttempts, String lastError, long lastPassAtMs, int strandedSegments) {
}
