package io.tieredarchive.source.copy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.time.Instant;
import java.util.concurrent.ExecutorService;

/**
 * Copies one object end to end: skips it when the destination already has it (if asked), copies it server-side or
 * by stream (falling back from one to the other when the store refuses, in auto mode), copies it again when the
 * source changed mid-copy, and reports it copied only once the copy is verified: by the checksums of its own
 * requests where they prove it, else by the size and ETag of the destination. Failures that
 * concern only this object become a failed {@link CopyResult}; the others are thrown for the task to retry or fail.
 */
public final class ObjectCopier {

    private static final Logger log = LoggerFactory.getLogger(ObjectCopier.class);
    /** Copies of an object that keeps changing before it gets a failed event. */
    static final int MAX_SOURCE_CHANGED_ATTEMPTS = 3;

    private final CopySettings settings;
    private final S3AsyncClient sourceClient;
    private final S3AsyncClient destinationClient;
    private final ServerSideCopier serverSide;
    private final StreamCopier stream;

    public ObjectCopier(CopySettings settings, S3AsyncClient sourceClient, S3AsyncClient destinationClient,
                        PartBufferPool pool, ExecutorService partPool) {
        this.settings = settings;
        this.sourceClient = sourceClient;
        this.destinationClient = destinationClient;
        this.serverSide = new ServerSideCopier(settings, destinationClient, partPool);
        this.stream = new StreamCopier(settings, sourceClient, destinationClient, pool, partPool);
    }

    /**
     * The result of copying {@code source} to {@code destinationKey}: copied, skipped, or failed for a reason of
     * this object alone (gone, rejected).
     *
     * @throws CopyException of kind {@code TRANSIENT}, {@code VERIFY_FAILED} (try again later) or {@code FATAL}
     */
    public CopyResult copy(SourceObject source, String destinationKey) throws CopyException, InterruptedException {
        ObjectJob job = new ObjectJob(source, destinationKey);
        try {
            if (settings.skipExisting()) {
                CopyResult skipped = skipIfPresent(job);
                if (skipped != null) {
                    return skipped;
                }
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    return copyAndVerify(job);
                } catch (CopyException e) {
                    if (e.kind() != CopyException.Kind.SOURCE_CHANGED || attempt >= MAX_SOURCE_CHANGED_ATTEMPTS) {
                        throw e;
                    }
                    log.info("{}; copying its current version", e.getMessage());
                    job = new ObjectJob(job, headSource(job));
                }
            }
        } catch (CopyException e) {
            if (!e.kind().isObjectFailure()) {
                throw e;
            }
            log.warn("Not copied: {}", e.getMessage());
            return CopyResult.failed(source.key(), destinationKey, job.source().size(), job.source().etag(),
                    job.requests(), job.elapsedMs(), e.getMessage());
        }
    }

    private CopyResult copyAndVerify(ObjectJob job) throws CopyException, InterruptedException {
        String fallback = null;
        CopyOutcome outcome;
        if (settings.serverSideFirst()) {
            try {
                outcome = serverSide.copy(job);
            } catch (CopyException e) {
                if (e.kind() != CopyException.Kind.SERVER_SIDE_REFUSED) {
                    throw e;
                }
                if (!settings.streamFallback()) {
                    throw new CopyException(CopyException.Kind.FATAL, e.getMessage()
                            + "; copy.mode=server-side does not fall back to stream: use copy.mode=auto or stream", e);
                }
                fallback = e.getMessage();
                log.info("{}; streaming it instead", fallback);
                outcome = stream.copy(job);
            }
        } else {
            outcome = stream.copy(job);
        }
        if (outcome.verifiedBy() == CopyResult.Verification.SIZE) {
            verifyDestination(job, outcome);
        }
        SourceObject source = job.source();
        log.debug("Copied s3://{}/{} to s3://{}/{} ({} bytes, {}, {} requests)", settings.source().bucket(),
                source.key(), settings.destination().bucket(), job.destinationKey(), source.size(),
                outcome.method().label(), job.requests());
        return new CopyResult(source.key(), job.destinationKey(), CopyResult.Status.COPIED, outcome.method(),
                fallback, source.size(), outcome.etag(), source.etag(), outcome.md5(), outcome.verifiedBy(),
                outcome.parts(), job.requests(), job.elapsedMs(), Instant.now(), null);
    }

    /**
     * For a copy that no checksum proved (a server-side copy of a source whose ETag is no MD5, or in parts whose
     * ETags do not make up the upload's): the destination must now hold an object of the source's size with the ETag
     * the store gave the copy. A copy whose response proved it needs no second request: a CopyObject that returns
     * the source's MD5 ETag wrote the same bytes, an upload whose ETag is the one of the parts copied holds those
     * parts, and a stream copy's uploads were each checked by the store against the MD5 of what was read (see
     * {@link CopyResult}).
     */
    private void verifyDestination(ObjectJob job, CopyOutcome outcome) throws CopyException, InterruptedException {
        HeadObjectResponse head = headDestination(job);
        String where = "s3://" + settings.destination().bucket() + "/" + job.destinationKey();
        if (head == null) {
            throw new CopyException(CopyException.Kind.VERIFY_FAILED, where + " is not there right after the copy");
        }
        if (head.contentLength() != job.source().size() || !SourceObject.sameEtag(head.eTag(), outcome.etag())) {
            throw new CopyException(CopyException.Kind.VERIFY_FAILED, where + " has " + head.contentLength()
                    + " bytes and ETag " + head.eTag() + " after the copy, expected " + job.source().size()
                    + " bytes and ETag " + outcome.etag() + " (another writer?)");
        }
    }

    private CopyResult skipIfPresent(ObjectJob job) throws CopyException, InterruptedException {
        HeadObjectResponse existing = headDestination(job);
        SourceObject source = job.source();
        if (existing != null && existing.contentLength() == source.size()
                && SourceObject.sameEtag(existing.eTag(), source.etag())) {
            log.debug("Skipped s3://{}/{}: already at the destination", settings.source().bucket(), source.key());
            return CopyResult.skipped(source.key(), job.destinationKey(), source.size(), source.etag(),
                    job.requests(), job.elapsedMs());
        }
        return null;
    }

    private HeadObjectResponse headDestination(ObjectJob job) throws CopyException, InterruptedException {
        return job.call(S3Failures.Operation.CHECK_DESTINATION, settings.destination(), job.destinationKey(),
                () -> S3Failures.nullIfNotFound(destinationClient.headObject(b -> b
                        .bucket(settings.destination().bucket()).key(job.destinationKey()))));
    }

    private SourceObject headSource(ObjectJob job) throws CopyException, InterruptedException {
        String key = job.source().key();
        HeadObjectResponse head = job.call(S3Failures.Operation.READ, settings.source(), key,
                () -> sourceClient.headObject(b -> b.bucket(settings.source().bucket()).key(key)));
        return SourceObject.of(key, head);
    }
}
