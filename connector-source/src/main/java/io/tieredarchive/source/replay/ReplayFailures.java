package io.tieredarchive.source.replay;

import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.storage.ObjectNotFoundException;
import io.tieredarchive.tier.storage.StorageException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;

/**
 * The one place that decides what a failure of the archive means for a replay: worth retrying, bad data that
 * {@code errors.tolerance=all} may skip, or fatal. Connectors and tasks only act on the answer.
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
        if (isNoSuchBucket(e)) {
            return Kind.FATAL;
        }
        if (cause(e, CorruptSegmentException.class) != null || cause(e, ObjectNotFoundException.class) != null) {
            return Kind.BAD_SEGMENT;
        }
        S3Exception s3 = cause(e, S3Exception.class);
        if (s3 != null) {
            int status = s3.statusCode();
            return status >= 500 || status == 429 || status == 408 ? Kind.TRANSIENT : Kind.FATAL;
        }
        if (cause(e, StorageException.class) != null || cause(e, SdkClientException.class) != null
                || cause(e, IOException.class) != null) {
            return Kind.TRANSIENT;
        }
        return Kind.FATAL;
    }

    /** True when {@code e} says the bucket itself does not exist. */
    public static boolean isNoSuchBucket(SegmentException e) {
        S3Exception s3 = cause(e, S3Exception.class);
        return s3 != null && s3.awsErrorDetails() != null
                && "NoSuchBucket".equals(s3.awsErrorDetails().errorCode());
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
