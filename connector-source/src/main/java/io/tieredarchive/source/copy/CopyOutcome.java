package io.tieredarchive.source.copy;

/**
 * What one copy strategy produced, before the final check of the destination.
 *
 * @param method     how the bytes went
 * @param etag       ETag the store gave the new object
 * @param md5        hex MD5 of the whole object when the task hashed it all, or null
 * @param verifiedBy the check already made
 * @param parts      parts of a multipart copy, 0 for one request
 */
record CopyOutcome(CopyResult.Method method, String etag, String md5, CopyResult.Verification verifiedBy,
                   int parts) {
}
