package io.tieredarchive.tier.storage;

import io.tieredarchive.failure.FailureKind;

/**
 * A conditional write lost: the object was created or changed since the caller read it. Kind
 * {@link FailureKind#PRECONDITION_FAILED}.
 */
public class PreconditionFailedException extends StorageException {

    private static final long serialVersionUID = 1L;

    public PreconditionFailedException(String message) {
        super(FailureKind.PRECONDITION_FAILED, message);
    }

    public PreconditionFailedException(String message, Throwable cause) {
        super(FailureKind.PRECONDITION_FAILED, message, cause);
    }
}
