package io.tieredarchive.failure;

import io.tieredarchive.cli.ExitCodes;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.storage.ObjectNotFoundException;
import io.tieredarchive.tier.storage.PreconditionFailedException;
import io.tieredarchive.tier.storage.StorageException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one mapping of failure kinds: read from a cause chain, and what Connect, the CLI and REST make of each. */
class FailuresTest {

    @Test
    void theKindComesFromTheChainAsTheBackendSetIt() {
        assertEquals(FailureKind.BUCKET_MISSING, Failures.kind(new StorageException(FailureKind.BUCKET_MISSING,
                "S3 bucket 'b' does not exist")));
        assertEquals(FailureKind.NOT_FOUND, Failures.kind(new ObjectNotFoundException("s3://b/k", null)));
        assertEquals(FailureKind.PRECONDITION_FAILED, Failures.kind(new PreconditionFailedException("s3://b/m")));
        assertEquals(FailureKind.TRANSIENT, Failures.kind(new StorageException("S3 unreachable")));
        // Readers wrap store failures in I/O exceptions; a wrapper keeps the kind of what it wraps.
        assertEquals(FailureKind.NOT_FOUND, Failures.kind(new UncheckedIOException(new IOException("read",
                new ObjectNotFoundException("s3://b/k.log", null)))));
        assertEquals(FailureKind.ACCESS_DENIED, Failures.kind(new StorageException("Cannot list",
                new StorageException(FailureKind.ACCESS_DENIED, "403"))));
        // Corrupt data anywhere in the chain wins: no retry brings other bytes.
        assertEquals(FailureKind.CORRUPT, Failures.kind(new StorageException("read failed",
                new CorruptSegmentException("s3://b/k.log", 42, "CRC"))));
        assertEquals(FailureKind.TRANSIENT, Failures.kind(new IOException("disk")));
        assertEquals(FailureKind.FATAL, Failures.kind(new SegmentException("formatVersion 9 is newer; upgrade")));
    }

    @Test
    void onlyWhatMayPassIsRetriableForConnect() {
        for (FailureKind kind : FailureKind.values()) {
            ConnectException e = Failures.toConnect(kind, "Cannot read s3://b/k", null);
            assertEquals(kind == FailureKind.TRANSIENT, e instanceof RetriableException, kind.name());
            assertEquals("Cannot read s3://b/k", e.getMessage());
        }
        assertTrue(Failures.badData(FailureKind.CORRUPT) && Failures.badData(FailureKind.NOT_FOUND));
        assertFalse(Failures.badData(FailureKind.BUCKET_MISSING), "a missing bucket is no missing object");
    }

    /** The table of docs/architecture.md, "Failures". */
    @Test
    void exitCodesAndHttpStatusesByKind() {
        Map<FailureKind, int[]> table = new EnumMap<>(FailureKind.class);
        table.put(FailureKind.TRANSIENT, new int[] {ExitCodes.STORAGE, 503});
        table.put(FailureKind.NOT_FOUND, new int[] {ExitCodes.STORAGE, 503});
        table.put(FailureKind.BUCKET_MISSING, new int[] {ExitCodes.USAGE, 500});
        table.put(FailureKind.ACCESS_DENIED, new int[] {ExitCodes.STORAGE, 503});
        table.put(FailureKind.PRECONDITION_FAILED, new int[] {ExitCodes.STORAGE, 503});
        table.put(FailureKind.CORRUPT, new int[] {ExitCodes.PROBLEMS, 500});
        table.put(FailureKind.FATAL, new int[] {ExitCodes.STORAGE, 500});
        assertEquals(FailureKind.values().length, table.size());
        table.forEach((kind, expected) -> {
            assertEquals(expected[0], ExitCodes.forKind(kind), kind + " exit code");
            assertEquals(expected[1], Failures.httpStatus(kind), kind + " HTTP status");
        });
    }

    @Test
    void whatOnlyAnOperatorCanFixSaysWhatToCheck() {
        assertTrue(Failures.needsOperator(FailureKind.BUCKET_MISSING));
        assertTrue(Failures.needsOperator(FailureKind.ACCESS_DENIED));
        assertFalse(Failures.needsOperator(FailureKind.TRANSIENT));
        assertEquals("; check source.s3.bucket, source.s3.endpoint and source.s3.region",
                Failures.whatToCheck(FailureKind.BUCKET_MISSING, "source.s3."));
        assertTrue(Failures.whatToCheck(FailureKind.ACCESS_DENIED, "s3.").contains("s3.access.key.id"));
        assertEquals("", Failures.whatToCheck(FailureKind.TRANSIENT, "s3."));
        assertEquals("S3 bucket 'b' does not exist at http://minio:9000; check s3.bucket",
                Failures.bucketMissing("b", "http://minio:9000", "s3.bucket"));
        assertEquals("S3 bucket 'b' does not exist; check s3.bucket", Failures.bucketMissing("b", null, "s3.bucket"));
        assertInstanceOf(ConnectException.class, Failures.toConnect(FailureKind.BUCKET_MISSING, "x", null));
    }
}
