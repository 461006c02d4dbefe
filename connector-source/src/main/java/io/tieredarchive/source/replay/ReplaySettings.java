package io.tieredarchive.source.replay;

/**
 * How a task replays each of its partitions.
 *
 * @param range            the offsets or times replayed
 * @param follow           after the end of the archive, keep looking for new segments
 * @param followIntervalMs how long a partition at the end of the archive waits before looking again
 * @param skipBadSegments  {@code errors.tolerance=all}: report a corrupt or missing segment and go on after it
 */
public record ReplaySettings(ReplayRange range, boolean follow, long followIntervalMs, boolean skipBadSegments) {
}
