package io.tieredarchive.tier.storage;

/** A conditional write lost: the object was created or changed since the caller read it. */
public class PreconditionFailedException extends StorageException {

    private static final long serialVersionUID = 1L;

    public PreconditionFailedException(String message) {
        super(message);
    }

    public PreconditionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
