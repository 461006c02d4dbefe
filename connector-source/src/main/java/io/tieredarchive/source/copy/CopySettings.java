package io.tieredarchive.source.copy;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3WriteOptions;

/**
 * How one task copies.
 *
 * @param source                  where objects are read
 * @param destination             where they are written
 * @param serverSideFirst         try a server-side copy first (modes server-side and auto on one store)
 * @param streamFallback          when a server-side copy is refused, stream the object instead (mode auto)
 * @param partSizeBytes           part size of multipart copies and of stream buffers
 * @param multipartThresholdBytes server-side copies above this size go in parts
 * @param skipExisting            skip objects already at the destination with the same size and ETag
 * @param preserveStorageClass    give copies the source's storage class
 */
public record CopySettings(S3Connection source, S3Connection destination, boolean serverSideFirst,
                           boolean streamFallback, long partSizeBytes, long multipartThresholdBytes,
                           boolean skipExisting, boolean preserveStorageClass) {

    /** Storage class and encryption of a copy of {@code source}. */
    S3WriteOptions writeOptions(SourceObject source) {
        S3WriteOptions options = S3WriteOptions.of(destination);
        return preserveStorageClass ? options.withStorageClass(source.storageClass()) : options;
    }
}
