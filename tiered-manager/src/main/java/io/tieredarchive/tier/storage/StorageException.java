package io.tieredarchive.tier.storage;

import io.tieredarchive.segment.SegmentException;

/**
 * A checked failure of an object store operation. The message always names the object (or prefix) and the store;
 * it never holds a credential. A {@link SegmentException}, so that the storage core has one checked exception
 * for callers to turn into {@code RetriableException} / {@code ConnectException} at the task boundary.
 */
public class StorageException extends SegmentException {

    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
