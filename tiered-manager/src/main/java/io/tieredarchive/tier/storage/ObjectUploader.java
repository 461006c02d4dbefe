package io.tieredarchive.tier.storage;

import java.nio.file.Path;
import java.util.Map;

/** Uploads a local file as an object, replacing any object of that key, and has the store check its bytes. */
@FunctionalInterface
public interface ObjectUploader {

    /**
     * Uploads {@code file} as {@code key}, sending {@code crc32c} for the store to check the body against: a store
     * that checks refuses a body that does not match (corrupted on the way), and the upload fails.
     *
     * @param crc32c   the file's CRC32C, 8 lower-case hex digits (as in a segment's marker)
     * @param metadata user metadata stored with the object (names lower-case ASCII)
     * @return the stored object (metadata as sent); its {@link ObjectInfo#confirmedCrc32c()} is {@code crc32c} when
     *         the store vouched for the bytes it stored, null when it vouched for nothing and the caller must verify
     *         them another way (a HEAD that reports the store's checksum, or reading the object back)
     * @throws StorageException when the store refused the body or failed; a body whose checksum the store reports
     *         different from {@code crc32c} is such a refusal
     */
    ObjectInfo upload(String key, Path file, String crc32c, Map<String, String> metadata) throws StorageException;
}
