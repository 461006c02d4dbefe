package io.tieredarchive.source.copy;

import io.tieredarchive.config.S3Connection;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place that decides what an S3 failure means for the copy (after the SDK's own retries): the object is
 * gone or changed, a server-side copy is refused, a bucket is missing, access is denied, the failure is transient,
 * or it is fatal. Messages name the bucket and key, and for configuration problems the keys to fix. No other class
 * of the copy looks at the SDK's exceptions ({@code CopyPackageBoundaryTest} checks it).
 */
public final class S3Failures {

    /** Error codes with which a store refuses a server-side copy it cannot or may not do. */
    private static final Set<String> REFUSAL_CODES = Set.of("AccessDenied", "NotImplemented", "XNotImplemented",
            "MethodNotAllowed", "InvalidRequest", "CrossLocationLoggingProhibited");
    /** Error codes of a request damaged in transit: sent again. */
    private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "RequestTimeout", "InternalError",
            "ServiceUnavailable", "BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch", "IncompleteBody",
            "NoSuchUpload", "OperationAborted", "RequestTimeTooSkewed");

    /** What the task was doing, on which side, so that the message names it. */
    public enum Operation {
        CHECK_SOURCE_BUCKET("source.", "read the bucket"),
        CHECK_DESTINATION_BUCKET("destination.", "reach the bucket"),
        LIST("source.", "list"),
        READ("source.", "read"),
        SERVER_COPY("destination.", "copy server-side to"),
        WRITE("destination.", "write"),
        CHECK_DESTINATION("destination.", "check");

        private final String configPrefix;
        private final String verb;

        Operation(String configPrefix, String verb) {
            this.configPrefix = configPrefix;
            this.verb = verb;
        }
    }

    private S3Failures() {
    }

    /** Waits for {@code future}; on interruption cancels the request and rethrows. */
    public static <T> T await(CompletableFuture<T> future, Operation op, S3Connection connection, String key)
            throws CopyException, InterruptedException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException | CompletionException | CancellationException e) {
            throw classify(e.getCause() == null ? e : e.getCause(), op, connection, key);
        }
    }

    /** True when {@code failure} says that the object or upload asked for is not there (HTTP 404, not a bucket). */
    static boolean isNotFound(Throwable failure) {
        Throwable t = unwrap(failure);
        return t instanceof S3Exception e && e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e));
    }

    /** The same request, completing with null when the object is not there (HTTP 404). */
    public static <T> CompletableFuture<T> nullIfNotFound(CompletableFuture<T> future) {
        return future.handle((result, failure) -> {
            if (failure == null) {
                return result;
            }
            if (isNotFound(failure)) {
                return null;
            }
            throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
        });
    }

    /** The meaning of {@code failure} of {@code op} on {@code key} (null for a whole bucket). */
    public static CopyException classify(Throwable failure, Operation op, S3Connection connection, String key) {
        Throwable t = unwrap(failure);
        String where = "s3://" + connection.bucket() + "/" + (key == null ? "" : key);
        if (t instanceof CopyException ce) {
            return ce;
        }
        if (t instanceof S3Exception e) {
            return classifyS3(e, op, connection, key, where);
        }
        if (t instanceof SdkClientException || t instanceof IOException || t instanceof UncheckedIOException) {
            return new CopyException(CopyException.Kind.TRANSIENT, "Could not " + op.verb + " " + where + " at "
                    + endpoint(connection) + ": " + t.getMessage(), t);
        }
        return new CopyException(CopyException.Kind.FATAL, "Unexpected failure to " + op.verb + " " + where
                + ": " + t, t);
    }

    private static CopyException classifyS3(S3Exception e, Operation op, S3Connection connection, String key,
                                            String where) {
        int status = e.statusCode();
        String code = errorCode(e);
        String detail = " (HTTP " + status + (code == null ? "" : " " + code) + ")";
        if ("NoSuchBucket".equals(code) || (key == null && status == 404)) {
            String bucket = op == Operation.SERVER_COPY
                    ? "The source bucket or the destination bucket '" + connection.bucket() + "'"
                    : "Bucket '" + connection.bucket() + "'";
            String fix = op == Operation.SERVER_COPY ? "source.s3.bucket and destination.s3.bucket"
                    : op.configPrefix + "s3.bucket";
            return new CopyException(CopyException.Kind.BUCKET_MISSING, bucket + " does not exist at "
                    + endpoint(connection) + "; check " + fix + detail, e);
        }
        if (status == 412) {
            return new CopyException(CopyException.Kind.SOURCE_CHANGED, where + " changed while it was copied"
                    + detail, e);
        }
        if ("InvalidObjectState".equals(code)) {
            return new CopyException(CopyException.Kind.OBJECT_REJECTED, where + " is in an archive storage class"
                    + " and must be restored before it can be copied" + detail, e);
        }
        if (op == Operation.SERVER_COPY && (status == 403 || status == 405 || status == 501
                || REFUSAL_CODES.contains(code))) {
            return new CopyException(CopyException.Kind.SERVER_SIDE_REFUSED, "The store refused to copy " + where
                    + " server-side" + detail + ": " + message(e), e);
        }
        if (status == 404 && !"NoSuchUpload".equals(code)
                && (op == Operation.READ || op == Operation.SERVER_COPY)) {
            return new CopyException(CopyException.Kind.SOURCE_GONE, where
                    + " is gone: deleted before or while it was copied" + detail, e);
        }
        if (status == 403) {
            return new CopyException(CopyException.Kind.ACCESS_DENIED, "Access denied: could not " + op.verb + " "
                    + where + " with " + credentials(op, connection) + "; grant the permission or fix "
                    + op.configPrefix + "s3.access.key.id / " + op.configPrefix + "s3.secret.access.key" + detail
                    + ": " + message(e), e);
        }
        if (status >= 500 || status == 429 || status == 408 || TRANSIENT_CODES.contains(code)) {
            return new CopyException(CopyException.Kind.TRANSIENT, "Could not " + op.verb + " " + where + detail
                    + ": " + message(e), e);
        }
        return new CopyException(CopyException.Kind.FATAL, "Could not " + op.verb + " " + where + detail + ": "
                + message(e), e);
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private static String credentials(Operation op, S3Connection connection) {
        return connection.hasStaticCredentials()
                ? "access key '" + connection.accessKeyId() + "' (" + op.configPrefix + "s3.access.key.id)"
                : "the default AWS credentials chain";
    }

    private static String endpoint(S3Connection connection) {
        return connection.endpoint() == null ? "AWS S3 (" + connection.region() + ")" : connection.endpoint();
    }

    private static String message(S3Exception e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage() : String.valueOf(e.getMessage());
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
