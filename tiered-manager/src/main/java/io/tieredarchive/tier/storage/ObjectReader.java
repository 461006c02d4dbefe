package io.tieredarchive.tier.storage;

import java.util.Optional;

/**
 * Reads a whole small object together with the version tag of exactly those bytes (one GET), for a
 * compare-and-set: a version read apart from the content (a HEAD, then a GET) may belong to another write.
 */
@FunctionalInterface
public interface ObjectReader {

    /** Empty when the object does not exist. */
    Optional<StoredObject> get(String key) throws StorageException;

    /**
     * One object's content and the etag of that content.
     *
     * @param etag the version tag to pass to {@link ObjectWriter#putIfMatch} to replace exactly this version
     */
    record StoredObject(String key, byte[] content, String etag) {
    }
}
