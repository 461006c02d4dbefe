package io.tieredarchive.tier.storage;

import java.util.Optional;

/** Reads an object's size, etag and user metadata without its content (HEAD). */
@FunctionalInterface
public interface ObjectInspector {

    /** Empty when the object does not exist. */
    Optional<ObjectInfo> head(String key) throws StorageException;
}
