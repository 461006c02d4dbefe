package io.tieredarchive.tier.storage;

import io.tieredarchive.s3.S3WriteOptions;
import io.tieredarchive.tier.storage.Checksums.PartDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

/**
 * Uploads a file in parts of {@code s3.part.size.bytes}, each part checked by the store against a checksum computed
 * here while reading the part: {@code x-amz-checksum-crc32c} (the upload is created with the CRC32C algorithm, so
 * the object gets S3's composite checksum), or {@code Content-MD5} for a store that refuses the former. At most
 * {@code partsInFlight} parts are sent at once; the file is read once more to checksum the parts, and the parts'
 * CRC32Cs must add up to the file's, so a file that changed since it was checked is refused. A failure before the
 * completion aborts the multipart upload, so no parts are left behind to pay for.
 *
 * <p>The store vouches for the object when it echoed every part's CRC32C (a composite checksum on completion other
 * than the parts' fails the upload); with Content-MD5, when its ETag is the MD5 of the parts' MD5s. Otherwise the
 * upload returns without a confirmed checksum and the caller verifies it another way.
 */
final class S3MultipartUploader {

    private static final Logger log = LoggerFactory.getLogger(S3MultipartUploader.class);

    private final S3AsyncClient client;
    private final String bucket;
    private final S3WriteOptions writeOptions;
    private final long partSize;
    private final int partsInFlight;
    private final S3Calls calls;

    S3MultipartUploader(S3AsyncClient client, String bucket, S3WriteOptions writeOptions, long partSize,
                        int partsInFlight, S3Calls calls) {
        this.client = client;
        this.bucket = bucket;
        this.writeOptions = writeOptions;
        this.partSize = partSize;
        this.partsInFlight = Math.max(1, partsInFlight);
        this.calls = calls;
    }

    private record Sent(int number, PartDigest digest, long length, CompletableFuture<UploadPartResponse> response) {
    }

    /** The parts as completed, and whether the store echoed every part's CRC32C. */
    private record Parts(List<CompletedPart> completed, List<PartDigest> digests, boolean allEchoed) {
    }

    ObjectInfo upload(String key, Path file, long size, String crc32c, Map<String, String> metadata,
                      boolean contentMd5) throws StorageException {
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder().bucket(bucket).key(key)
                .metadata(metadata);
        if (!contentMd5) {
            create.checksumAlgorithm(ChecksumAlgorithm.CRC32_C);
        }
        writeOptions.applyTo(create);
        String uploadId = calls.await(client.createMultipartUpload(create.build()), "start of the multipart upload of",
                key).uploadId();
        Parts parts;
        CompleteMultipartUploadResponse done;
        try {
            parts = sendParts(key, uploadId, file, size, crc32c, contentMd5);
            done = calls.await(client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts.completed()))), "completion of the multipart upload of", key);
        } catch (StorageException | RuntimeException e) {
            abort(key, uploadId, e);
            throw e;
        }
        // Completed: an object that does not verify stays without a marker until the next attempt replaces it.
        String etag = S3StorageBackend.unquote(done.eTag());
        return new ObjectInfo(key, size, etag, metadata, confirmed(key, crc32c, parts, done, etag));
    }

    private Parts sendParts(String key, String uploadId, Path file, long size, String crc32c, boolean contentMd5)
            throws StorageException {
        CRC32C whole = new CRC32C();
        Deque<Sent> inFlight = new ArrayDeque<>();
        List<CompletedPart> completed = new ArrayList<>();
        List<PartDigest> digests = new ArrayList<>();
        boolean allEchoed = true;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long position = 0;
            for (int number = 1; position < size; number++) {
                long length = Math.min(partSize, size - position);
                PartDigest digest = Checksums.digest(channel, position, length, contentMd5, whole);
                digests.add(digest);
                inFlight.add(new Sent(number, digest, length, send(key, uploadId, file, number, position, length,
                        digest)));
                position += length;
                while (inFlight.size() >= partsInFlight || (position >= size && !inFlight.isEmpty())) {
                    Sent sent = inFlight.poll();
                    allEchoed &= echoed(key, sent, contentMd5);
                    completed.add(completedPart(sent, contentMd5));
                }
            }
        } catch (IOException e) {
            throw new StorageException("Cannot read " + file + " to upload it to " + calls.describe(key) + ": " + e, e);
        } finally {
            inFlight.forEach(sent -> sent.response().cancel(true));
        }
        String actual = Checksums.hex(whole.getValue());
        if (!actual.equals(crc32c)) {
            throw new StorageException("Upload of " + file + " to " + calls.describe(key) + " stopped: the file's "
                    + "parts have CRC32C " + actual + ", not the " + crc32c + " expected (it changed on disk)");
        }
        return new Parts(completed, digests, allEchoed);
    }

    private CompletableFuture<UploadPartResponse> send(String key, String uploadId, Path file, int number,
                                                       long position, long length, PartDigest digest)
            throws StorageException {
        UploadPartRequest.Builder part = UploadPartRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                .partNumber(number).contentLength(length);
        if (digest.md5() != null) {
            part.contentMD5(Checksums.base64(digest.md5()));
        } else {
            part.checksumCRC32C(Checksums.crc32cBase64(digest.crc32cHex()));
        }
        return calls.sending(() -> client.uploadPart(part.build(), AsyncRequestBody.fromFile(b -> b.path(file)
                .position(position).numBytesToRead(length))), "upload of part " + number + " of", key);
    }

    /** Waits for a part; true when the store echoed its CRC32C (which must then be the one sent). */
    private boolean echoed(String key, Sent sent, boolean contentMd5) throws StorageException {
        UploadPartResponse response = calls.awaitSending(sent.response(), "upload of part " + sent.number() + " of",
                key, sent.length());
        String echo = Checksums.crc32cHex(response.checksumCRC32C());
        String sentCrc = sent.digest().crc32cHex();
        if (echo != null && !contentMd5 && !echo.equals(sentCrc)) {
            throw new StorageException("S3 stored part " + sent.number() + " of " + calls.describe(key) + " with "
                    + "CRC32C " + echo + ", not the " + sentCrc + " sent");
        }
        return echo != null;
    }

    private static CompletedPart completedPart(Sent sent, boolean contentMd5) {
        CompletedPart.Builder part = CompletedPart.builder().partNumber(sent.number())
                .eTag(sent.response().join().eTag());
        if (!contentMd5) {
            part.checksumCRC32C(Checksums.crc32cBase64(sent.digest().crc32cHex()));
        }
        return part.build();
    }

    /** The CRC32C the store vouches for, or null; throws when what it reports contradicts the parts sent. */
    private String confirmed(String key, String crc32c, Parts parts, CompleteMultipartUploadResponse done,
                             String etag) throws StorageException {
        if (parts.digests().get(0).md5() != null) {
            String expected = Checksums.multipartEtag(parts.digests().stream().map(PartDigest::md5).toList());
            return expected.equals(etag) ? crc32c : null;
        }
        String composite = done.checksumCRC32C();
        if (composite != null) {
            String expected = Checksums.compositeCrc32c(parts.digests().stream().map(PartDigest::crc32c).toList());
            if (!expected.equals(composite)) {
                throw new StorageException("S3 completed " + calls.describe(key) + " with composite CRC32C "
                        + composite + ", not the " + expected + " of the parts sent");
            }
        }
        // A composite alone proves nothing: a store may compute it from the part checksums listed on completion.
        return parts.allEchoed() ? crc32c : null;
    }

    private void abort(String key, String uploadId, Exception cause) {
        try {
            calls.await(client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)),
                    "abort of the multipart upload of", key);
        } catch (StorageException | RuntimeException e) {
            cause.addSuppressed(e);
            log.warn("Could not abort the multipart upload {} of {}; a bucket lifecycle rule for incomplete "
                    + "multipart uploads removes its parts: {}", uploadId, calls.describe(key), e.getMessage());
        }
    }
}
