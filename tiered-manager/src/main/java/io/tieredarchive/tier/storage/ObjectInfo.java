package io.tieredarchive.tier.storage;

import java.util.Map;

/**
 * What a store knows about one object.
 *
 * @param key      the full key
 * @param size     size in bytes
 * @param etag     the store's version tag of the content (S3's ETag, quotes removed); used for conditional writes
 * @param metadata user metadata (lower-case names); only {@link ObjectInspector#head} fills it, listings leave it empty
 */
public record ObjectInfo(String key, long size, String etag, Map<String, String> metadata) {

    /** User-metadata name under which every upload of this project stores the hex CRC32C of the object. */
    public static final String CRC32C = "crc32c";

    public ObjectInfo {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** The CRC32C recorded in the object's metadata at upload, or null. */
    public String crc32c() {
        return metadata.get(CRC32C);
    }
}
