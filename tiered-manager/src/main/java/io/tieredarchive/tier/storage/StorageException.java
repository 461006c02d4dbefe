package io.tieredarchive.tier.storage;

/**
 * A checked failure of an object store operation. The message always names the object (or prefix) and the store;
 * it never holds a credential.
 */
public class StorageException extends Exception {

    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
