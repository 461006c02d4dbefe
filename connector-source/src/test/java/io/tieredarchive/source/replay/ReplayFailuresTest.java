package io.tieredarchive.source.replay;

import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.storage.ObjectNotFoundException;
import io.tieredarchive.tier.storage.S3StorageBackend;
import io.tieredarchive.tier.storage.StorageException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;

import static io.tieredarchive.source.replay.ReplayFailures.Kind.BAD_SEGMENT;
import static io.tieredarchive.source.replay.ReplayFailures.Kind.FATAL;
import static io.tieredarchive.source.replay.ReplayFailures.Kind.TRANSIENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayFailuresTest {

    private static S3Exception s3(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code).build()).build();
    }

    /** As {@code S3StorageBackend} raises it: of the kind it reads from the SDK's failure. */
    private static StorageException storage(Throwable cause) {
        return new StorageException(S3StorageBackend.kindOf(cause), "S3 get of s3://b/k failed", cause);
    }

    @Test
    void badDataIsABadSegmentWhereverItSitsInTheChain() {
        assertEquals(BAD_SEGMENT, ReplayFailures.kind(new CorruptSegmentException("s3://b/k.log", 0, "CRC")));
        assertEquals(BAD_SEGMENT, ReplayFailures.kind(new ObjectNotFoundException("s3://b/k.log", s3(404,
                "NoSuchKey"))));
        // As the segment reader reports a ranged read that failed: an I/O error around the store's answer.
        SegmentException wrapped = new SegmentException("Cannot read segment", new IOException("Cannot read",
                new ObjectNotFoundException("s3://b/k.log", null)));
        assertEquals(BAD_SEGMENT, ReplayFailures.kind(wrapped));
    }

    @Test
    void aMissingBucketIsFatal() {
        StorageException noBucket = storage(s3(404, "NoSuchBucket"));
        assertEquals(FATAL, ReplayFailures.kind(noBucket));
        assertTrue(ReplayFailures.isNoSuchBucket(noBucket));
    }

    @Test
    void theStoreGoingAwayIsTransientRefusalsAreFatal() {
        assertEquals(TRANSIENT, ReplayFailures.kind(storage(s3(503, "SlowDown"))));
        assertEquals(TRANSIENT, ReplayFailures.kind(storage(s3(500, "InternalError"))));
        assertEquals(TRANSIENT, ReplayFailures.kind(storage(s3(429, "TooManyRequests"))));
        assertEquals(TRANSIENT, ReplayFailures.kind(storage(SdkClientException.create("Connection refused"))));
        assertEquals(TRANSIENT, ReplayFailures.kind(new SegmentException("x", new IOException("reset"))));
        assertEquals(FATAL, ReplayFailures.kind(storage(s3(403, "AccessDenied"))));
        assertEquals(FATAL, ReplayFailures.kind(storage(s3(400, "InvalidRequest"))));
        assertEquals(FATAL, ReplayFailures.kind(new SegmentException("formatVersion 2 is newer; upgrade")));
    }
}
