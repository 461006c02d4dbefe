package io.tieredarchive.source.copy;

import io.tieredarchive.config.S3Connection;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;

import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * Copies an object inside the store: one CopyObject up to {@code copy.multipart.threshold.bytes}, UploadPartCopy
 * in parallel parts above it. No object bytes pass through the task. The responses prove the copy where they can:
 * CopyObject's ETag equal to the source's MD5 ETag, or a completed upload whose ETag is the one of the parts copied;
 * only otherwise does {@link ObjectCopier} HEAD the destination. Every request is pinned to the listed
 * version of the source ({@code x-amz-copy-source-if-match}), so a source that changes mid-copy fails the copy
 * instead of mixing two versions.
 *
 * <p>Requests go with the destination's client: a server-side copy is authorised by the destination's
 * credentials reading the source.
 */
final class ServerSideCopier {

    private final CopySettings settings;
    private final S3AsyncClient client;
    private final MultipartUpload multipart;

    ServerSideCopier(CopySettings settings, S3AsyncClient destinationClient, ExecutorService partPool) {
        this.settings = settings;
        this.client = destinationClient;
        this.multipart = new MultipartUpload(destinationClient, settings.destination(), partPool);
    }

    CopyOutcome copy(ObjectJob job) throws CopyException, InterruptedException {
        SourceObject source = job.source();
        if (source.size() <= settings.multipartThresholdBytes()) {
            return copyWhole(job);
        }
        return copyInParts(job);
    }

    private CopyOutcome copyWhole(ObjectJob job) throws CopyException, InterruptedException {
        SourceObject source = job.source();
        S3Connection destination = settings.destination();
        CopyObjectRequest.Builder request = CopyObjectRequest.builder()
                .sourceBucket(settings.source().bucket()).sourceKey(source.key())
                .destinationBucket(destination.bucket()).destinationKey(job.destinationKey())
                .copySourceIfMatch(source.etag());
        settings.writeOptions(source).applyTo(request);
        CopyObjectResponse response = job.call(S3Failures.Operation.SERVER_COPY, destination, job.destinationKey(),
                () -> client.copyObject(request.build()));
        String etag = response.copyObjectResult().eTag();
        return new CopyOutcome(CopyResult.Method.SERVER_SIDE, etag, null, verification(source, etag), 0);
    }

    private CopyOutcome copyInParts(ObjectJob job) throws CopyException, InterruptedException {
        SourceObject source = job.source();
        S3Connection destination = settings.destination();
        // UploadPartCopy does not carry metadata: read it from the pinned version and set it on the upload.
        // Counted as part of the server-side copy, so that a refusal falls back to stream like the copy would.
        HeadObjectResponse head = job.call(S3Failures.Operation.SERVER_COPY, settings.source(), source.key(),
                () -> client.headObject(b -> b.bucket(settings.source().bucket()).key(source.key())
                        .ifMatch(source.etag())));
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(destination.bucket()).key(job.destinationKey());
        ObjectAttributes.of(head).applyTo(create);
        settings.writeOptions(source).applyTo(create);
        PartPlan plan = PartPlan.of(source.size(), settings.partSizeBytes());
        Map<Integer, String> partEtags = new ConcurrentHashMap<>();
        String etag = multipart.run(job, create.build(), plan, (uploadId, part) -> {
            CompletedPart copied = copyPart(job, uploadId, part);
            partEtags.put(copied.partNumber(), copied.eTag());
            return copied;
        });
        CopyResult.Verification verifiedBy = assembledFrom(etag, partEtags, plan.count())
                ? CopyResult.Verification.PARTS : verification(source, etag);
        return new CopyOutcome(CopyResult.Method.SERVER_SIDE, etag, null, verifiedBy, plan.count());
    }

    /**
     * True when {@code etag}, which CompleteMultipartUpload returned, is the multipart ETag of exactly the parts the
     * store copied (the MD5 of their MD5 ETags, a dash, their number): the store assembled those parts, which are
     * the pinned source version's bytes range by range and cover its size, so no HEAD of the destination is needed.
     * False where a part's ETag is no MD5 (SSE-KMS) or the store makes its ETags otherwise.
     */
    static boolean assembledFrom(String etag, Map<Integer, String> partEtags, int parts) {
        byte[][] md5s = new byte[parts][];
        for (int number = 1; number <= parts; number++) {
            String partEtag = partEtags.get(number);
            if (!SourceObject.isMd5(partEtag)) {
                return false;
            }
            md5s[number - 1] = HexFormat.of().parseHex(SourceObject.unquote(partEtag));
        }
        return SourceObject.sameEtag(Md5.multipartEtag(md5s), etag);
    }

    private CompletedPart copyPart(ObjectJob job, String uploadId, PartPlan.Part part)
            throws CopyException, InterruptedException {
        SourceObject source = job.source();
        UploadPartCopyResponse response = job.call(S3Failures.Operation.SERVER_COPY, settings.destination(),
                job.destinationKey(), () -> client.uploadPartCopy(b -> b
                        .sourceBucket(settings.source().bucket()).sourceKey(source.key())
                        .destinationBucket(settings.destination().bucket()).destinationKey(job.destinationKey())
                        .uploadId(uploadId).partNumber(part.number()).copySourceRange(part.range())
                        .copySourceIfMatch(source.etag())));
        return CompletedPart.builder().partNumber(part.number()).eTag(response.copyPartResult().eTag()).build();
    }

    /** The store copied the pinned version; equal MD5 ETags also show equal bytes. */
    private static CopyResult.Verification verification(SourceObject source, String etag) {
        return SourceObject.isMd5(source.etag()) && SourceObject.sameEtag(source.etag(), etag)
                ? CopyResult.Verification.ETAG : CopyResult.Verification.SIZE;
    }
}
