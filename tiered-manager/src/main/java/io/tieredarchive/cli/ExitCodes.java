package io.tieredarchive.cli;

import io.tieredarchive.failure.FailureKind;

/**
 * The exit codes of {@code tiered-archive}, stable for scripts. Which one a failure of the store gets is decided by
 * its kind, in {@link #forKind} (here rather than in {@code failure.Failures}, so that the CLI depends on the failure
 * vocabulary and not the reverse).
 */
public final class ExitCodes {

    /** Done; for {@code verify}, nothing wrong was found. */
    public static final int OK = 0;
    /** The command ran but found a problem: {@code verify} found errors, {@code archive} left segments behind,
     * {@code dump}/{@code restore} met corrupt data. */
    public static final int PROBLEMS = 1;
    /** Bad command line or configuration (the message names the option or key), a bucket that does not exist
     * included. */
    public static final int USAGE = 2;
    /** The store or the local disk failed (S3 unreachable, access denied, I/O error); retrying may help. */
    public static final int STORAGE = 3;

    private ExitCodes() {
    }

    /** The exit code for a failure of this kind (the table in {@code Failures}). */
    public static int forKind(FailureKind kind) {
        return switch (kind) {
            case CORRUPT -> PROBLEMS;
            case BUCKET_MISSING -> USAGE;
            default -> STORAGE;
        };
    }
}
