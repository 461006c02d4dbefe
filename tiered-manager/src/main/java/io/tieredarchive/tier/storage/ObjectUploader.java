package io.tieredarchive.tier.storage;

import java.nio.file.Path;
import java.util.Map;

/** Uploads a local file as an object, replacing any object of that key. */
@FunctionalInterface
public interface ObjectUploader {

    /**
     * @param metadata user metadata stored with the object (names lower-case ASCII)
     * @return the stored object's key, size and etag (metadata as sent)
     */
    ObjectInfo upload(String key, Path file, Map<String, String> metadata) throws StorageException;
}
