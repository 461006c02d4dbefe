package io.tieredarchive.tier.storage;

/** The object named in the message does not exist. */
public class ObjectNotFoundException extends StorageException {

    private static final long serialVersionUID = 1L;

    public ObjectNotFoundException(String message) {
        super(message);
    }

    public ObjectNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
