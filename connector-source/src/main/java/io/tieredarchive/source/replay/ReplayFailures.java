package io.tieredarchive.source.replay;

import io.tieredarchive.failure.FailureKind;
import io.tieredarchive.failure.Failures;
import io.tieredarchive.segment.SegmentException;

/**
 * What a failure of the archive means for a replay, read from its {@link FailureKind} through {@link Failures}:
 * worth retrying, bad data that {@code errors.tolerance=all} may skip, or fatal. Connectors and tasks only act on
 * the answer; no class of the replay looks at a store's own exceptions.
 */
public final class ReplayFailures {

    /** What a failure means. */
    public enum Kind {
        /** The store or the network: back off and try again ({@code RetriableException}). */
        TRANSIENT,
        /** A segment's object is corrupt or gone: fail the task, or report and skip the segment. */
        BAD_SEGMENT,
        /** Retrying cannot help (no such bucket, access denied, a format too new): fail with the message. */
        FATAL
    }

    private ReplayFailures() {
    }

    /** What {@code e} means; the whole cause chain counts, as readers wrap store failures in I/O exceptions. */
    public static Kind kind(SegmentException e) {
        FailureKind kind = Failures.kind(e);
        if (Failures.retriable(kind)) {
            return Kind.TRANSIENT;
        }
        return Failures.badData(kind) ? Kind.BAD_SEGMENT : Kind.FATAL;
    }

    /** True when {@code e} says the bucket itself does not exist. */
    public static boolean isNoSuchBucket(SegmentException e) {
        return Failures.kind(e) == FailureKind.BUCKET_MISSING;
    }
}
