package io.tieredarchive.cli;

/**
 * The exit codes of {@code tiered-archive}, stable for scripts. Which one a failure of the store gets is decided by
 * its kind, in {@link io.tieredarchive.failure.Failures#exitCode}.
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
}
