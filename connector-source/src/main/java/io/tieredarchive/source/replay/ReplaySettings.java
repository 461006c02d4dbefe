package io.tieredarchive.source.replay;

/**
 * How a task replays each of its partitions.
 *
 * @param range            the offsets or times replayed
 * @param follow           after the end of the archive, keep looking for new segments
 * @param followIntervalMs how long a partition at the end of the archive waits before looking again
 * @param skipBadSegments  {@code errors.tolerance=all}: report a corrupt or missing segment and go on after it
 * @param holeTimeoutMs    how long a partition waits at a hole (offsets no segment covers yet) before failing
 */
public record ReplaySettings(ReplayRange range, boolean follow, long followIntervalMs, boolean skipBadSegments,
                             long holeTimeoutMs) {

    /** These settings for an incarnation that is not the last of its partition: replayed to its end, not followed. */
    public ReplaySettings notFollowing() {
        return new ReplaySettings(range, false, followIntervalMs, skipBadSegments, holeTimeoutMs);
    }
}
