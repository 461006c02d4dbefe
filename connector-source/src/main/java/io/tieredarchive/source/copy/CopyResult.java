package io.tieredarchive.source.copy;

import java.time.Instant;

/**
 * What happened to one source object: copied (and verified), skipped (already at the destination), or failed (not
 * copied, with the reason). One {@link CopyEvents event} is written per result.
 *
 * @param sourceKey      key of the source object
 * @param destinationKey key it was (or would have been) copied to
 * @param status         copied, skipped or failed
 * @param method         how the bytes went, or null when nothing was copied
 * @param fallback       why a server-side copy fell back to stream, or null
 * @param size           bytes of the object
 * @param etag           ETag of the destination object, or null
 * @param sourceEtag     ETag of the source object that was copied
 * @param md5            hex MD5 of the whole object when the task read it all (single-part stream copy), or null
 * @param verifiedBy     what showed the copy equal to the source, or null
 * @param parts          parts of a multipart copy, 0 for a single request
 * @param requests       S3 API calls made for this object (the SDK's own retries not counted)
 * @param durationMs     wall time spent on the object
 * @param time           when it finished
 * @param error          why it failed, or null
 */
public record CopyResult(String sourceKey, String destinationKey, Status status, Method method, String fallback,
                         long size, String etag, String sourceEtag, String md5, Verification verifiedBy, int parts,
                         int requests, long durationMs, Instant time, String error) {

    /** The fate of an object. */
    public enum Status {
        COPIED, SKIPPED, FAILED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** How the bytes of a copied object travelled. */
    public enum Method {
        SERVER_SIDE("server-side"), STREAM("stream");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The strongest check that the destination holds the source's bytes. */
    public enum Verification {
        /** The destination ETag equals the source's MD5 ETag: the same bytes. */
        ETAG("etag"),
        /** The task hashed every byte it read; the source's MD5 ETag and the store's Content-MD5 check agree. */
        MD5("md5"),
        /** The task hashed every byte it read from the pinned source version; the store checked each upload
         *  against that Content-MD5, and the size matches. */
        CONTENT_MD5("content-md5"),
        /** Server-side copy in parts: the store copied each part's range of the pinned source version (the
         *  ranges cover its size exactly), and the ETag of the completed upload is the one of those parts. */
        PARTS("parts"),
        /** The store copied the pinned source version (If-Match its ETag) and the size matches. */
        SIZE("size");

        private final String label;

        Verification(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** An object that was not copied, and why. */
    public static CopyResult failed(String sourceKey, String destinationKey, long size, String sourceEtag,
                                    int requests, long durationMs, String error) {
        return new CopyResult(sourceKey, destinationKey, Status.FAILED, null, null, size, null, sourceEtag, null,
                null, 0, requests, durationMs, Instant.now(), error);
    }

    /** An object already at the destination with the same size and ETag. */
    public static CopyResult skipped(String sourceKey, String destinationKey, long size, String etag,
                                     int requests, long durationMs) {
        return new CopyResult(sourceKey, destinationKey, Status.SKIPPED, null, null, size, etag, etag, null,
                Verification.ETAG, 0, requests, durationMs, Instant.now(), null);
    }
}
