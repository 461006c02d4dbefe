package io.tieredarchive.tier.storage;

import io.tieredarchive.failure.FailureKind;

/** The object named in the message does not exist (its bucket does). Kind {@link FailureKind#NOT_FOUND}. */
public class ObjectNotFoundException extends StorageException {

    private static final long serialVersionUID = 1L;

    public ObjectNotFoundException(String message, Throwable cause) {
        super(FailureKind.NOT_FOUND, message, cause);
    }
}
