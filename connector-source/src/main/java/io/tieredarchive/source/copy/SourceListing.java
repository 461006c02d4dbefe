package io.tieredarchive.source.copy;

import io.tieredarchive.config.S3Connection;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

import java.util.ArrayDeque;
import java.util.Queue;

/**
 * The source objects under a prefix, in S3's listing order (UTF-8 binary order of the keys), from just after the
 * resume point, one page (up to 1,000 keys) at a time.
 */
final class SourceListing {

    private final S3AsyncClient client;
    private final S3Connection source;
    private final String prefix;
    private final String startAfter;
    private final Queue<SourceObject> buffered = new ArrayDeque<>();
    private String continuationToken;
    private boolean exhausted;
    private long listed;

    /**
     * @param prefix     the prefix to list ("" for the whole bucket)
     * @param startAfter list only keys after this one, or null for all
     */
    SourceListing(S3AsyncClient client, S3Connection source, String prefix, String startAfter) {
        this.client = client;
        this.source = source;
        this.prefix = prefix;
        this.startAfter = startAfter;
    }

    /** True when listed objects wait to be taken. */
    public boolean hasBuffered() {
        return !buffered.isEmpty();
    }

    /** The next listed object, or null when none is buffered. */
    public SourceObject take() {
        return buffered.poll();
    }

    /** True when the last page has been fetched. */
    public boolean exhausted() {
        return exhausted;
    }

    /** Objects listed so far. */
    public long listed() {
        return listed;
    }

    /** Fetches the next page into the buffer. */
    public void fetchPage() throws CopyException, InterruptedException {
        if (exhausted) {
            return;
        }
        ListObjectsV2Response page = S3Failures.await(client.listObjectsV2(b -> b.bucket(source.bucket())
                .prefix(prefix.isEmpty() ? null : prefix)
                .startAfter(startAfter)
                .continuationToken(continuationToken)), S3Failures.Operation.LIST, source, prefix);
        page.contents().forEach(listed -> buffered.add(SourceObject.of(listed)));
        listed += page.contents().size();
        continuationToken = page.nextContinuationToken();
        exhausted = !Boolean.TRUE.equals(page.isTruncated()) || continuationToken == null;
    }
}
