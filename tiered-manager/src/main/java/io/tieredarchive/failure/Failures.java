package io.tieredarchive.failure;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;

import java.io.IOException;
import java.util.Arrays;

/**
 * The one place that says what a failure means, by its {@link FailureKind}: for the connectors (retry with backoff,
 * or fail naming what to fix), for the {@code tiered-archive} CLI (its exit code: the CLI's {@code ExitCodes.forKind}
 * follows this table, so the CLI depends on this package and not the reverse) and for the REST extension (its HTTP
 * status). Backends and the copy's {@code S3Failures} set the kind once; everything else asks here.
 *
 * <table>
 *   <caption>What each part does with a kind</caption>
 *   <tr><th>kind</th><th>Connect (replay, copy)</th><th>sink</th><th>CLI</th><th>REST</th></tr>
 *   <tr><td>TRANSIENT</td><td>{@link RetriableException}, with backoff</td><td>retries (WARN)</td><td>3</td>
 *       <td>503</td></tr>
 *   <tr><td>NOT_FOUND</td><td>{@link ConnectException} naming the object (a replay may skip it under
 *       {@code errors.tolerance=all}; the copy records a failed event)</td><td>retries (WARN)</td><td>3</td>
 *       <td>503</td></tr>
 *   <tr><td>BUCKET_MISSING</td><td>{@link ConnectException} naming the bucket and the key to fix; never retried
 *       </td><td>retries (ERROR naming the bucket)</td><td>2</td><td>500</td></tr>
 *   <tr><td>ACCESS_DENIED</td><td>{@link ConnectException}</td><td>retries (ERROR)</td><td>3</td><td>503</td></tr>
 *   <tr><td>PRECONDITION_FAILED</td><td>{@link ConnectException} (the tier and the copy redo a lost
 *       compare-and-set or a changed source first)</td><td>retries (WARN)</td><td>3</td><td>503</td></tr>
 *   <tr><td>CORRUPT</td><td>{@link ConnectException} naming the object and position</td><td>fails the task when
 *       a local segment is corrupt; retries an upload</td><td>1</td><td>500</td></tr>
 *   <tr><td>FATAL</td><td>{@link ConnectException}</td><td>retries (WARN)</td><td>3</td><td>500</td></tr>
 * </table>
 * The sink never fails its task for S3 trouble (its documented rule: commits wait, the archive catches up); it
 * only logs what an operator must fix at ERROR ({@link #needsOperator}).
 */
public final class Failures {

    /** The REST status of a store failure that may pass. */
    public static final int HTTP_UNAVAILABLE = 503;
    /** The REST status of a failure that retrying the request cannot fix. */
    public static final int HTTP_SERVER_ERROR = 500;

    private Failures() {
    }

    /**
     * The kind of {@code failure}, from its cause chain (readers wrap store failures in I/O exceptions): corrupt
     * data anywhere in it is {@link FailureKind#CORRUPT}; else the first {@link ClassifiedFailure}'s kind (a
     * {@code StorageException}'s, as its backend set it); else an I/O error is {@link FailureKind#TRANSIENT};
     * anything else (a format too new, a bug) {@link FailureKind#FATAL}.
     */
    public static FailureKind kind(Throwable failure) {
        ClassifiedFailure first = null;
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ClassifiedFailure classified) {
                if (classified.failureKind() == FailureKind.CORRUPT) {
                    return FailureKind.CORRUPT;
                }
                first = first == null ? classified : first;
            }
        }
        if (first != null) {
            return first.failureKind();
        }
        if (cause(failure, IOException.class) != null) {
            return FailureKind.TRANSIENT;
        }
        return FailureKind.FATAL;
    }

    /** True when trying again later may succeed: Connect gets a {@link RetriableException}. */
    public static boolean retriable(FailureKind kind) {
        return kind == FailureKind.TRANSIENT;
    }

    /** True when the data itself is bad or gone: a replay may skip it under {@code errors.tolerance=all}. */
    public static boolean badData(FailureKind kind) {
        return kind == FailureKind.CORRUPT || kind == FailureKind.NOT_FOUND;
    }

    /**
     * True when only an operator can fix it (a bucket to create or name, credentials to grant): a part that keeps
     * retrying anyway (the sink, the tier) says so at ERROR, not as a transient WARN.
     */
    public static boolean needsOperator(FailureKind kind) {
        return kind == FailureKind.BUCKET_MISSING || kind == FailureKind.ACCESS_DENIED;
    }

    /** What Connect gets: a {@link RetriableException} for a failure that may pass, else a {@link ConnectException}. */
    public static ConnectException toConnect(FailureKind kind, String message, Throwable cause) {
        return retriable(kind) ? new RetriableException(message, cause) : new ConnectException(message, cause);
    }

    /** The HTTP status of the REST extension for a failure of this kind. */
    public static int httpStatus(FailureKind kind) {
        return switch (kind) {
            case BUCKET_MISSING, CORRUPT, FATAL -> HTTP_SERVER_ERROR;
            default -> HTTP_UNAVAILABLE;
        };
    }

    /**
     * Logs a failure that is retried: at ERROR, with what to check ({@link #whatToCheck}, the last argument of
     * {@code format}), when only an operator can fix it ({@link #needsOperator}); else at WARN.
     */
    public static void logRetried(Logger log, Throwable failure, String keyPrefix, String format, Object... args) {
        FailureKind kind = kind(failure);
        Object[] all = Arrays.copyOf(args, args.length + 1);
        all[args.length] = whatToCheck(kind, keyPrefix);
        if (needsOperator(kind)) {
            log.error(format, all);
        } else {
            log.warn(format, all);
        }
    }

    /**
     * What an operator should check for a failure only they can fix ({@link #needsOperator}), as a tail for its
     * message ({@code "; check ..."}); empty for the others. {@code keyPrefix} is where the connection's keys are:
     * {@code "s3."} (or {@code "source.s3."}, {@code "destination.s3."}).
     */
    public static String whatToCheck(FailureKind kind, String keyPrefix) {
        return switch (kind) {
            case BUCKET_MISSING -> "; check " + keyPrefix + "bucket, " + keyPrefix + "endpoint and " + keyPrefix
                    + "region";
            case ACCESS_DENIED -> "; check the credentials (" + keyPrefix + "access.key.id / " + keyPrefix
                    + "secret.access.key, or the default credentials chain) and the bucket's policy";
            default -> "";
        };
    }

    /**
     * The message for a missing bucket, naming the config key to check: {@code "S3 bucket 'b' does not exist at
     * <endpoint>; check s3.bucket"} (no endpoint on AWS, where it is null).
     */
    public static String bucketMissing(String bucket, String endpoint, String bucketKey) {
        return "S3 bucket '" + bucket + "' does not exist" + (endpoint == null ? "" : " at " + endpoint)
                + "; check " + bucketKey;
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
