package io.tieredarchive.tier.read;

/**
 * A restore directory that {@link RestoreRoot} refuses: outside the root, through a symbolic link that leaves it,
 * in use by a tiering service, or (a {@link #conflict()}) already holding segment files. The message says which.
 */
public final class RestorePathException extends Exception {

    private final boolean conflict;

    RestorePathException(String message, boolean conflict) {
        super(message);
        this.conflict = conflict;
    }

    /** True when the directory is acceptable but holds files a restore would have to replace. */
    public boolean conflict() {
        return conflict;
    }
}
