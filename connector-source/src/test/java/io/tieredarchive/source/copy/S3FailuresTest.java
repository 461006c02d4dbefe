package io.tieredarchive.source.copy;

import io.tieredarchive.config.S3Connection;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static io.tieredarchive.source.copy.CopyException.Kind.ACCESS_DENIED;
import static io.tieredarchive.source.copy.CopyException.Kind.BUCKET_MISSING;
import static io.tieredarchive.source.copy.CopyException.Kind.FATAL;
import static io.tieredarchive.source.copy.CopyException.Kind.OBJECT_REJECTED;
import static io.tieredarchive.source.copy.CopyException.Kind.SERVER_SIDE_REFUSED;
import static io.tieredarchive.source.copy.CopyException.Kind.SOURCE_CHANGED;
import static io.tieredarchive.source.copy.CopyException.Kind.SOURCE_GONE;
import static io.tieredarchive.source.copy.CopyException.Kind.TRANSIENT;
import static io.tieredarchive.source.copy.S3Failures.Operation.CHECK_DESTINATION_BUCKET;
import static io.tieredarchive.source.copy.S3Failures.Operation.CHECK_SOURCE_BUCKET;
import static io.tieredarchive.source.copy.S3Failures.Operation.READ;
import static io.tieredarchive.source.copy.S3Failures.Operation.SERVER_COPY;
import static io.tieredarchive.source.copy.S3Failures.Operation.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class S3FailuresTest {

    private static final S3Connection CONNECTION = new S3Connection("bkt", "", "us-east-1", "http://127.0.0.1:1",
            true, "AKID", new Password("very-secret"), S3Connection.ChecksumMode.WHEN_SUPPORTED, null,
            S3Connection.Sse.NONE, null, 5L << 20, 8, 3);

    private static S3Exception s3(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status).message(code)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("msg " + code).build())
                .build();
    }

    private static CopyException classify(Throwable t, S3Failures.Operation op) {
        return S3Failures.classify(new CompletionException(t), op, CONNECTION, "k/ey");
    }

    @Test
    void objectLevelFailures() {
        assertEquals(SOURCE_GONE, classify(s3(404, "NoSuchKey"), READ).kind());
        assertEquals(SOURCE_GONE, classify(s3(404, "NoSuchKey"), SERVER_COPY).kind());
        assertEquals(SOURCE_CHANGED, classify(s3(412, "PreconditionFailed"), READ).kind());
        assertEquals(SOURCE_CHANGED, classify(s3(412, "PreconditionFailed"), SERVER_COPY).kind());
        assertEquals(OBJECT_REJECTED, classify(s3(403, "InvalidObjectState"), READ).kind());
        assertTrue(SOURCE_GONE.isObjectFailure() && OBJECT_REJECTED.isObjectFailure());
        assertFalse(TRANSIENT.isObjectFailure() || FATAL.isObjectFailure());
    }

    @Test
    void refusedServerSideCopiesFallBack() {
        for (S3Exception e : new S3Exception[]{s3(403, "AccessDenied"), s3(501, "NotImplemented"),
                s3(400, "InvalidRequest"), s3(405, "MethodNotAllowed")}) {
            assertEquals(SERVER_SIDE_REFUSED, classify(e, SERVER_COPY).kind(), e.toString());
        }
    }

    @Test
    void accessDeniedAndMissingBucketsAreFatalAndNameTheKeyToFix() {
        CopyException denied = classify(s3(403, "AccessDenied"), WRITE);
        assertEquals(ACCESS_DENIED, denied.kind());
        assertTrue(denied.getMessage().contains("s3://bkt/k/ey")
                && denied.getMessage().contains("destination.s3.access.key.id"), denied.getMessage());
        assertFalse(denied.getMessage().contains("very-secret"));
        CopyException noBucket = S3Failures.classify(s3(404, null), CHECK_SOURCE_BUCKET, CONNECTION, null);
        assertEquals(BUCKET_MISSING, noBucket.kind());
        assertTrue(noBucket.getMessage().contains("Bucket 'bkt' does not exist")
                && noBucket.getMessage().contains("source.s3.bucket"), noBucket.getMessage());
        assertEquals(ACCESS_DENIED,
                S3Failures.classify(s3(403, null), CHECK_DESTINATION_BUCKET, CONNECTION, null).kind());
        assertEquals(FATAL, classify(s3(400, "InvalidArgument"), WRITE).kind());
        assertEquals(FATAL, classify(new IllegalStateException("bug"), WRITE).kind());
    }

    /** A bucket deleted mid-copy: whatever request finds out, the task fails at once, naming the key to check. */
    @Test
    void aMissingBucketIsNeverRetriedAndNeverAnObjectFailure() {
        for (S3Failures.Operation op : S3Failures.Operation.values()) {
            CopyException e = classify(s3(404, "NoSuchBucket"), op);
            assertEquals(BUCKET_MISSING, e.kind(), op.toString());
            assertFalse(e.kind().isObjectFailure(), op.toString());
            assertTrue(e.getMessage().contains("s3.bucket"), e.getMessage());
        }
        assertTrue(classify(s3(404, "NoSuchBucket"), SERVER_COPY).getMessage()
                .contains("source.s3.bucket and destination.s3.bucket"));
        assertFalse(S3Failures.isNotFound(s3(404, "NoSuchBucket")), "not an object that is missing");
        assertTrue(S3Failures.isNotFound(new CompletionException(s3(404, "NoSuchUpload"))));
    }

    @Test
    void serverErrorsThrottlingAndBrokenConnectionsAreTransient() {
        assertEquals(TRANSIENT, classify(s3(500, "InternalError"), WRITE).kind());
        assertEquals(TRANSIENT, classify(s3(503, "SlowDown"), READ).kind());
        assertEquals(TRANSIENT, classify(s3(400, "BadDigest"), WRITE).kind());
        assertEquals(TRANSIENT, classify(s3(404, "NoSuchUpload"), WRITE).kind());
        assertEquals(TRANSIENT, classify(SdkClientException.create("connection reset"), READ).kind());
        assertEquals(TRANSIENT, classify(new IOException("closed"), READ).kind());
    }

    @Test
    void nullIfNotFoundTurnsOnlyA404IntoNull() {
        assertNull(S3Failures.nullIfNotFound(CompletableFuture.failedFuture(s3(404, "NoSuchKey"))).join());
        assertEquals("x", S3Failures.nullIfNotFound(CompletableFuture.completedFuture("x")).join());
        CompletableFuture<Object> denied = S3Failures.nullIfNotFound(CompletableFuture.failedFuture(s3(403, null)));
        assertTrue(denied.isCompletedExceptionally());
        CompletableFuture<Object> noBucket = S3Failures.nullIfNotFound(
                CompletableFuture.failedFuture(s3(404, "NoSuchBucket")));
        assertTrue(noBucket.isCompletedExceptionally());
    }
}
