package io.tieredarchive.source.copy;

import io.tieredarchive.s3.S3ClientFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The copy of one hash shard of a source prefix, and the copy's one door to S3: it owns the S3 clients, the
 * listing, the stream memory budget and the worker threads. The connector's task drives it (bucket check, then the
 * window filled from the listing) and takes the finished objects from {@link #tracker()} in listing order; it never
 * sees an SDK type, and every S3 failure reaches it as a {@link CopyException} classified by {@link S3Failures}.
 *
 * <p>The copy talks to S3 directly rather than through the storage SPI ({@code io.tieredarchive.tier.storage}): it
 * needs what only S3 has (server-side CopyObject and UploadPartCopy between buckets, reads and copies pinned to an
 * ETag, multipart uploads it aborts, content headers and storage classes carried over). docs/architecture.md says why.
 */
public final class ShardCopy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ShardCopy.class);

    private final CopySettings settings;
    private final CopySelection selection;
    private final S3AsyncClient sourceClient;
    private final S3AsyncClient destinationClient;
    private final SourceListing listing;
    private final PartBufferPool pool;
    private final ListingOrderTracker<CopyResult> tracker;
    private final CopyMetrics metrics;
    private final CopyWorkers workers;

    /**
     * @param name       names the threads and the metrics' sensors (unique in the worker)
     * @param after      the resume point: copy the shard's keys after this one, or all when null
     * @param metrics    makes the metrics, given the stream memory budget they report on
     * @param onFatal    told of a failure that must fail the task
     * @param onRetry    told of a transient failure of an object, which is being retried
     */
    public ShardCopy(String name, CopySettings settings, CopySelection selection, String after, int concurrency,
                     Function<PartBufferPool, CopyMetrics> metrics, Consumer<CopyException> onFatal,
                     Consumer<CopyException> onRetry) {
        this.settings = settings;
        this.selection = selection;
        this.tracker = new ListingOrderTracker<>(after);
        this.pool = new PartBufferPool(concurrency, settings.partSizeBytes(),
                PartBufferPool.requestOverheadBytes(settings.destination()));
        this.metrics = metrics.apply(pool);
        this.sourceClient = S3ClientFactory.asyncClient(settings.source());
        this.destinationClient = S3ClientFactory.asyncClient(settings.destination());
        this.listing = new SourceListing(sourceClient, settings.source(), selection.listPrefix(), after);
        this.workers = new CopyWorkers(name, concurrency, parts -> new ObjectCopier(settings, sourceClient,
                destinationClient, pool, parts), tracker, this.metrics, onFatal, onRetry);
    }

    /** Finished objects, released in listing order. */
    public ListingOrderTracker<CopyResult> tracker() {
        return tracker;
    }

    public CopyMetrics metrics() {
        return metrics;
    }

    /** Most bytes the stream copies may hold: {@code copy.concurrency x copy.part.size.bytes}. */
    public long streamBoundBytes() {
        return pool.limitBytes();
    }

    /** HeadBucket of the source and of the destination: a missing bucket fails before anything is listed. */
    public void checkBuckets() throws CopyException, InterruptedException {
        S3Failures.await(sourceClient.headBucket(b -> b.bucket(settings.source().bucket())),
                S3Failures.Operation.CHECK_SOURCE_BUCKET, settings.source(), null);
        S3Failures.await(destinationClient.headBucket(b -> b.bucket(settings.destination().bucket())),
                S3Failures.Operation.CHECK_DESTINATION_BUCKET, settings.destination(), null);
    }

    /**
     * Lists and hands out the shard's objects until {@code window} are between listing and event, the listing
     * ends, {@code maxPages} pages were fetched, or {@code stop} says so. An object the selection refuses gets its
     * failed result at once.
     */
    public void fillWindow(int window, int maxPages, java.util.function.BooleanSupplier stop)
            throws CopyException, InterruptedException {
        int pages = 0;
        while (tracker.outstanding() < window && !stop.getAsBoolean()) {
            if (!listing.hasBuffered()) {
                if (listing.exhausted() || pages++ >= maxPages) {
                    return;
                }
                listing.fetchPage();
                continue;
            }
            SourceObject listed = listing.take();
            CopySelection.Selected selected = selection.select(listed.key());
            if (selected == null) {
                continue;
            }
            tracker.register(listed.key());
            if (selected.rejection() != null) {
                log.warn("Not copying s3://{}/{}: {}", settings.source().bucket(), listed.key(),
                        selected.rejection());
                tracker.complete(listed.key(), CopyResult.failed(listed.key(), selected.destinationKey(),
                        listed.size(), listed.etag(), 0, 0, "Not copied: " + selected.rejection()));
            } else {
                workers.submit(listed, selected.destinationKey());
            }
        }
    }

    /** True when the whole shard is listed and every object of it reported. */
    public boolean finished() {
        return listing.exhausted() && !listing.hasBuffered() && tracker.outstanding() == 0;
    }

    /** Objects listed so far (all shards' keys: every task lists the whole prefix). */
    public long listed() {
        return listing.listed();
    }

    /** Stops the copies in flight (their multipart uploads aborted) and closes the clients. */
    @Override
    public void close() {
        workers.close();
        sourceClient.close();
        destinationClient.close();
        metrics.close();
    }
}
