package io.tieredarchive.tier.storage;

import java.util.Map;

/**
 * What a store knows about one object.
 *
 * @param key             the full key
 * @param size            size in bytes
 * @param etag            the store's version tag of the content (S3's ETag, quotes removed); used for conditional
 *                        writes
 * @param metadata        user metadata (lower-case names); only {@link ObjectInspector#head} fills it, listings leave
 *                        it empty
 * @param confirmedCrc32c the CRC32C of the content (8 lower-case hex digits) as the store itself vouches for it: it
 *                        checked the body it stored against that checksum, or reported a digest of the stored bytes
 *                        that matches; null when the store vouches for none (an upload that must then be verified
 *                        another way, a listing, a HEAD of an object stored without a checksum or in parts)
 */
public record ObjectInfo(String key, long size, String etag, Map<String, String> metadata, String confirmedCrc32c) {

    /** User-metadata name under which every upload of this project stores the hex CRC32C of the object. */
    public static final String CRC32C = "crc32c";

    public ObjectInfo {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** An object the store vouches for no checksum of. */
    public ObjectInfo(String key, long size, String etag, Map<String, String> metadata) {
        this(key, size, etag, metadata, null);
    }

    /** The CRC32C recorded in the object's metadata at upload (the uploader's claim, not the store's), or null. */
    public String crc32c() {
        return metadata.get(CRC32C);
    }

    /** True when the store vouches that the object is {@code size} bytes with CRC32C {@code crc32c}. */
    public boolean confirms(long size, String crc32c) {
        return this.size == size && crc32c.equals(confirmedCrc32c);
    }
}
