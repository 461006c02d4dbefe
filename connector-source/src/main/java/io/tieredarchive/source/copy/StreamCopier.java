package io.tieredarchive.source.copy;

import io.tieredarchive.config.S3Connection;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * Copies an object through the task, in memory only: ranged GETs of the listed version (If-Match its ETag) into
 * buffers leased from the {@link PartBufferPool}, each uploaded with its Content-MD5, so that the store checks every
 * byte it receives. Objects up to {@code copy.part.size.bytes} go in one PutObject, larger ones in a multipart
 * upload of parts of that size, so no buffer is ever larger than a part and the pool bounds the memory. A GET
 * writes straight into its buffer ({@link BufferFillingTransformer}) and an upload reads it in pieces
 * ({@link LeasedBufferBody}), so the SDK holds no copy of it beyond what the pool charges for.
 */
final class StreamCopier {

    private final CopySettings settings;
    private final S3AsyncClient sourceClient;
    private final S3AsyncClient destinationClient;
    private final PartBufferPool pool;
    private final MultipartUpload multipart;

    StreamCopier(CopySettings settings, S3AsyncClient sourceClient, S3AsyncClient destinationClient,
                 PartBufferPool pool, ExecutorService partPool) {
        this.settings = settings;
        this.sourceClient = sourceClient;
        this.destinationClient = destinationClient;
        this.pool = pool;
        this.multipart = new MultipartUpload(destinationClient, settings.destination(), partPool);
    }

    CopyOutcome copy(ObjectJob job) throws CopyException, InterruptedException {
        SourceObject source = job.source();
        if (source.size() <= settings.partSizeBytes()) {
            return copyWhole(job);
        }
        PartPlan plan = PartPlan.of(source.size(), settings.partSizeBytes());
        if (plan.partSize() > settings.partSizeBytes()) {
            throw new CopyException(CopyException.Kind.OBJECT_REJECTED, "s3://" + settings.source().bucket() + "/"
                    + source.key() + " (" + source.size() + " bytes) needs parts of " + plan.partSize()
                    + " bytes to fit S3's " + PartPlan.MAX_PARTS + " parts, more than copy.part.size.bytes ("
                    + settings.partSizeBytes() + ") that bounds stream buffers; raise copy.part.size.bytes");
        }
        return copyInParts(job, plan);
    }

    private CopyOutcome copyWhole(ObjectJob job) throws CopyException, InterruptedException {
        SourceObject source = job.source();
        S3Connection destination = settings.destination();
        try (PartBufferPool.Lease lease = pool.lease(source.size())) {
            GetObjectResponse read = read(job, null, lease.buffer());
            ObjectAttributes attributes = ObjectAttributes.of(read);
            byte[] md5 = Md5.of(lease.buffer());
            boolean sourceEtagIsMd5 = SourceObject.isMd5(source.etag()) && !attributes.kmsEncrypted();
            if (sourceEtagIsMd5 && !SourceObject.sameEtag(source.etag(), Md5.hex(md5))) {
                throw new CopyException(CopyException.Kind.VERIFY_FAILED, "The bytes read from s3://"
                        + settings.source().bucket() + "/" + source.key() + " have MD5 " + Md5.hex(md5)
                        + ", not its ETag " + source.etag());
            }
            PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(destination.bucket())
                    .key(job.destinationKey()).contentLength(source.size()).contentMD5(Md5.base64(md5));
            attributes.applyTo(put);
            settings.writeOptions(source).applyTo(put);
            PutObjectResponse response = upload(job, lease.buffer(),
                    body -> destinationClient.putObject(put.build(), body));
            checkStoreEtag(job, response.eTag(), md5);
            return new CopyOutcome(CopyResult.Method.STREAM, response.eTag(), Md5.hex(md5),
                    sourceEtagIsMd5 ? CopyResult.Verification.MD5 : CopyResult.Verification.CONTENT_MD5, 0);
        }
    }

    private CopyOutcome copyInParts(ObjectJob job, PartPlan plan) throws CopyException, InterruptedException {
        SourceObject source = job.source();
        HeadObjectResponse head = job.call(S3Failures.Operation.READ, settings.source(), source.key(),
                () -> sourceClient.headObject(b -> b.bucket(settings.source().bucket()).key(source.key())
                        .ifMatch(source.etag())));
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(settings.destination().bucket()).key(job.destinationKey());
        ObjectAttributes.of(head).applyTo(create);
        settings.writeOptions(source).applyTo(create);
        byte[][] partMd5s = new byte[plan.count()][];
        String etag = multipart.run(job, create.build(), plan,
                (uploadId, part) -> copyPart(job, uploadId, part, partMd5s));
        String expected = Md5.multipartEtag(partMd5s);
        if (destinationEtagsAreMd5() && etag != null && etag.contains("-") && !SourceObject.sameEtag(etag, expected)) {
            throw new CopyException(CopyException.Kind.VERIFY_FAILED, "s3://" + settings.destination().bucket()
                    + "/" + job.destinationKey() + " was completed with ETag " + etag + ", but its parts make "
                    + expected);
        }
        return new CopyOutcome(CopyResult.Method.STREAM, etag, null, SourceObject.sameEtag(source.etag(), etag)
                ? CopyResult.Verification.ETAG : CopyResult.Verification.CONTENT_MD5, plan.count());
    }

    private CompletedPart copyPart(ObjectJob job, String uploadId, PartPlan.Part part, byte[][] partMd5s)
            throws CopyException, InterruptedException {
        S3Connection destination = settings.destination();
        try (PartBufferPool.Lease lease = pool.lease(part.length())) {
            read(job, part.range(), lease.buffer());
            byte[] md5 = Md5.of(lease.buffer());
            UploadPartResponse response = upload(job, lease.buffer(), body -> destinationClient.uploadPart(b -> b
                    .bucket(destination.bucket()).key(job.destinationKey()).uploadId(uploadId)
                    .partNumber(part.number()).contentLength(part.length()).contentMD5(Md5.base64(md5)),
                    body));
            checkStoreEtag(job, response.eTag(), md5);
            partMd5s[part.number() - 1] = md5;
            return CompletedPart.builder().partNumber(part.number()).eTag(response.eTag()).build();
        }
    }

    /** Reads the whole object (range null) or a range of the pinned version into {@code buffer}, filling it. */
    private GetObjectResponse read(ObjectJob job, String range, ByteBuffer buffer)
            throws CopyException, InterruptedException {
        SourceObject source = job.source();
        S3Connection connection = settings.source();
        String what = "s3://" + connection.bucket() + "/" + source.key() + (range == null ? "" : " " + range);
        BufferFillingTransformer into = new BufferFillingTransformer(buffer, what);
        try {
            return job.call(S3Failures.Operation.READ, connection, source.key(),
                    () -> sourceClient.getObject(b -> b.bucket(connection.bucket()).key(source.key())
                            .ifMatch(source.etag()).range(range), into));
        } finally {
            into.release();
        }
    }

    /** Sends an upload of a leased buffer, and lets go of the buffer when it is over. */
    private <T> T upload(ObjectJob job, ByteBuffer buffer, Function<AsyncRequestBody, CompletableFuture<T>> request)
            throws CopyException, InterruptedException {
        LeasedBufferBody body = new LeasedBufferBody(buffer);
        try {
            return job.call(S3Failures.Operation.WRITE, settings.destination(), job.destinationKey(),
                    () -> request.apply(body));
        } finally {
            body.release();
        }
    }

    /** Stores that return MD5 ETags must return the MD5 of what was sent. */
    private void checkStoreEtag(ObjectJob job, String etag, byte[] md5) throws CopyException {
        if (destinationEtagsAreMd5() && SourceObject.isMd5(etag) && !SourceObject.sameEtag(etag, Md5.hex(md5))) {
            throw new CopyException(CopyException.Kind.VERIFY_FAILED, "s3://" + settings.destination().bucket()
                    + "/" + job.destinationKey() + " stored ETag " + etag + " for bytes with MD5 " + Md5.hex(md5));
        }
    }

    private boolean destinationEtagsAreMd5() {
        return settings.destination().sse() != S3Connection.Sse.KMS;
    }
}
