package io.tieredarchive.tier.storage;

/** Writes a small object from memory, only if the object is still in the state the caller last saw. */
@FunctionalInterface
public interface ObjectWriter {

    /**
     * Compare-and-set of a small object (If-Match / If-None-Match on S3).
     *
     * @param expectedEtag the etag the object must have now, or null if the object must not exist
     * @throws PreconditionFailedException when the object was created or changed meanwhile
     */
    ObjectInfo putIfMatch(String key, byte[] content, String expectedEtag) throws StorageException;

    /**
     * True when {@link #putIfMatch} checks its condition and writes in one atomic step, so that of two writers
     * expecting the same version exactly one succeeds. False (the safe answer) when the store may check and write
     * apart, and a writer should read its update back.
     */
    default boolean atomicConditionalWrites() {
        return false;
    }
}
