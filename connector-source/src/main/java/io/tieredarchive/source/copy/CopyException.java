package io.tieredarchive.source.copy;

/**
 * A failed step of copying one object (or of listing), classified once by {@link S3Failures}: the kind says what
 * the task does next. The message names the bucket and key and says what to fix. The kinds map onto the storage
 * core's failure kinds (transient, not found, bucket missing, access denied, precondition failed, corrupt) plus the
 * copy's own (a server-side copy refused, an object it must not copy), so that the copy can move onto the shared
 * vocabulary when the storage core has one.
 */
public class CopyException extends Exception {

    /** What a failure means for the object and for the task. */
    public enum Kind {
        /** The source object is gone (deleted before or during the copy): a failed event, the copy goes on. */
        SOURCE_GONE(true),
        /** The source object changed during the copy (its ETag no longer matches): copy it again. */
        SOURCE_CHANGED(true),
        /** This object cannot be copied (archived storage class, a key that would escape the prefix, too large
         *  for stream parts): a failed event, the copy goes on. */
        OBJECT_REJECTED(true),
        /** A server-side copy the store or account refuses: falls back to stream in auto mode. */
        SERVER_SIDE_REFUSED(false),
        /** The copy did not verify (size or checksum differ): copied again a few times, then fatal. */
        VERIFY_FAILED(false),
        /** Worth retrying later: the store is unavailable, throttling, or the connection broke. */
        TRANSIENT(false),
        /** A source or destination bucket does not exist: the task fails at once, never retried. */
        BUCKET_MISSING(false),
        /** The credentials may not do what the copy needs: the task fails, naming the keys to fix. */
        ACCESS_DENIED(false),
        /** Any other configuration problem, or a failure nobody expected: the task fails. */
        FATAL(false);

        private final boolean objectFailure;

        Kind(boolean objectFailure) {
            this.objectFailure = objectFailure;
        }

        /** True when the object gets a failed event and the copy goes on with the next. */
        public boolean isObjectFailure() {
            return objectFailure;
        }
    }

    private final Kind kind;

    public CopyException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public CopyException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
