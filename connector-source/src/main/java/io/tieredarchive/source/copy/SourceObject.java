package io.tieredarchive.source.copy;

import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One object to copy, as listed (or as read again after it changed).
 *
 * @param key          source key
 * @param size         bytes
 * @param etag         ETag, with its quotes: every read and server-side copy is pinned to it (If-Match)
 * @param storageClass storage class, or null
 */
public record SourceObject(String key, long size, String etag, String storageClass) {

    public static SourceObject of(S3Object listed) {
        return new SourceObject(listed.key(), listed.size(), listed.eTag(), listed.storageClassAsString());
    }

    public static SourceObject of(String key, HeadObjectResponse head) {
        return new SourceObject(key, head.contentLength(), head.eTag(), head.storageClassAsString());
    }

    /** True when the ETag is the MD5 of the bytes: 32 hex digits (an object written in one piece, unencrypted
     *  or SSE-S3). A multipart ETag ends in "-parts". */
    public static boolean isMd5(String etag) {
        return etag != null && unquote(etag).matches("[0-9a-fA-F]{32}");
    }

    /** The ETag without its quotes, lower case. */
    public static String unquote(String etag) {
        if (etag == null) {
            return null;
        }
        String s = etag.startsWith("\"") && etag.endsWith("\"") && etag.length() >= 2
                ? etag.substring(1, etag.length() - 1) : etag;
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    /** True when both ETags name the same bytes (quotes and case aside). */
    public static boolean sameEtag(String a, String b) {
        return a != null && b != null && unquote(a).equals(unquote(b));
    }
}
