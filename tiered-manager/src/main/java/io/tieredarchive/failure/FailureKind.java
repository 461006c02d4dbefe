package io.tieredarchive.failure;

/**
 * What a failure of the store (or of the data in it) is, set once where it is raised: by the storage backend that
 * read the store's answer ({@code StorageException#kind()}), by the segment reader for corrupt data, by the bucket
 * copy's {@code S3Failures}. What each part of the plugin does about a kind is decided in one place,
 * {@link Failures}.
 */
public enum FailureKind {
    /** The store or the network failed in a way that may pass: unreachable, throttling, 5xx, a timeout, disk I/O. */
    TRANSIENT,
    /** The object asked for does not exist (HTTP 404 on an object; the bucket exists). */
    NOT_FOUND,
    /** The bucket itself does not exist (S3 {@code NoSuchBucket}; a file-system store's root folder is gone). */
    BUCKET_MISSING,
    /** The credentials may not do this (HTTP 403: AccessDenied, a wrong key or secret). */
    ACCESS_DENIED,
    /** A conditional request lost: the object was created or changed since it was read (HTTP 412, 409). */
    PRECONDITION_FAILED,
    /** The bytes are not what they must be: a segment that fails its checks, a copy that does not verify. */
    CORRUPT,
    /** Anything retrying cannot help: a request the store refuses as it is (another 4xx), an invalid key, a format
     *  too new for this plugin, a failure nobody expected. */
    FATAL
}
