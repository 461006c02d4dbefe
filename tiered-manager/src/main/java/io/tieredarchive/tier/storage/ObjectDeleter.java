package io.tieredarchive.tier.storage;

/** Deletes an object; deleting a missing object is not an error. */
@FunctionalInterface
public interface ObjectDeleter {

    void delete(String key) throws StorageException;
}
