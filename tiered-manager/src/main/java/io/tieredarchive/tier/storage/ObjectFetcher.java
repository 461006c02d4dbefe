package io.tieredarchive.tier.storage;

/** Reads a byte range of an object. */
@FunctionalInterface
public interface ObjectFetcher {

    /**
     * Reads {@code length} bytes from {@code position} (fewer at the object's end, none past it); a negative
     * {@code length} reads to the end.
     *
     * @throws ObjectNotFoundException when the object does not exist
     */
    byte[] fetch(String key, long position, int length) throws StorageException;

    /** The whole object. */
    default byte[] fetchAll(String key) throws StorageException {
        return fetch(key, 0, -1);
    }
}
