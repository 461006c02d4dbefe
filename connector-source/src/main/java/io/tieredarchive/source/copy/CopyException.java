package io.tieredarchive.source.copy;

import io.tieredarchive.failure.ClassifiedFailure;
import io.tieredarchive.failure.FailureKind;
import io.tieredarchive.failure.Failures;

/**
 * A failed step of copying one object (or of listing), classified once by {@link S3Failures}: the kind says what
 * the copy does with the object next. Each kind is one of the storage core's {@link FailureKind}s, made finer for
 * the copy (a server-side copy refused, an object it must not copy), so that what the task tells Connect is
 * decided where every other failure's is, in {@link Failures}. The message names the bucket and key and says what
 * to fix.
 */
public class CopyException extends Exception implements ClassifiedFailure {

    /** What a failure means for the object and for the task. */
    public enum Kind {
        /** The source object is gone (deleted before or during the copy): a failed event, the copy goes on. */
        SOURCE_GONE(true, FailureKind.NOT_FOUND),
        /** The source object changed during the copy (its ETag no longer matches): copy it again. */
        SOURCE_CHANGED(true, FailureKind.PRECONDITION_FAILED),
        /** This object cannot be copied (archived storage class, a key that would escape the prefix, too large
         *  for stream parts): a failed event, the copy goes on. */
        OBJECT_REJECTED(true, FailureKind.FATAL),
        /** A server-side copy the store or account refuses: falls back to stream in auto mode. */
        SERVER_SIDE_REFUSED(false, FailureKind.FATAL),
        /** The copy did not verify (size or checksum differ): copied again a few times, then fatal. */
        VERIFY_FAILED(false, FailureKind.CORRUPT),
        /** Worth retrying later: the store is unavailable, throttling, or the connection broke. */
        TRANSIENT(false, FailureKind.TRANSIENT),
        /** A source or destination bucket does not exist: the task fails at once, never retried. */
        BUCKET_MISSING(false, FailureKind.BUCKET_MISSING),
        /** The credentials may not do what the copy needs: the task fails, naming the keys to fix. */
        ACCESS_DENIED(false, FailureKind.ACCESS_DENIED),
        /** Any other configuration problem, or a failure nobody expected: the task fails. */
        FATAL(false, FailureKind.FATAL);

        private final boolean objectFailure;
        private final FailureKind failureKind;

        Kind(boolean objectFailure, FailureKind failureKind) {
            this.objectFailure = objectFailure;
            this.failureKind = failureKind;
        }

        /** True when the object gets a failed event and the copy goes on with the next. */
        public boolean isObjectFailure() {
            return objectFailure;
        }

        /** The shared kind this one refines. */
        public FailureKind failureKind() {
            return failureKind;
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

    @Override
    public FailureKind failureKind() {
        return kind.failureKind();
    }
}
