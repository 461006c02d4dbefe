package io.tieredarchive.tier.storage;

import io.tieredarchive.failure.ClassifiedFailure;
import io.tieredarchive.failure.FailureKind;
import io.tieredarchive.segment.SegmentException;

/**
 * A checked failure of an object store operation. The message always names the object (or prefix) and the store;
 * it never holds a credential. A {@link SegmentException}, so that the storage core has one checked exception
 * for callers to turn into {@code RetriableException} / {@code ConnectException} at the task boundary
 * ({@link io.tieredarchive.failure.Failures}).
 *
 * <p>Its {@link #kind()} is set once, by the backend that read the store's answer, so that no caller looks at a
 * store's own exceptions: {@link ObjectNotFoundException} is {@link FailureKind#NOT_FOUND},
 * {@link PreconditionFailedException} is {@link FailureKind#PRECONDITION_FAILED}; a failure without a kind is
 * {@link FailureKind#TRANSIENT} (an I/O error, a timeout), or the kind of the store failure it wraps.
 */
public class StorageException extends SegmentException implements ClassifiedFailure {

    private static final long serialVersionUID = 1L;

    private final FailureKind kind;

    public StorageException(String message) {
        this(FailureKind.TRANSIENT, message, null);
    }

    /** Of the kind of {@code cause} when it is itself a {@code StorageException}, else transient. */
    public StorageException(String message, Throwable cause) {
        this(cause instanceof StorageException storage ? storage.kind() : FailureKind.TRANSIENT, message, cause);
    }

    public StorageException(FailureKind kind, String message) {
        this(kind, message, null);
    }

    public StorageException(FailureKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** What the failure is, as the backend that raised it saw it. */
    public FailureKind kind() {
        return kind;
    }

    @Override
    public FailureKind failureKind() {
        return kind;
    }
}
