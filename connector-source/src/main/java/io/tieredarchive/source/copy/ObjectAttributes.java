package io.tieredarchive.source.copy;

import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import java.util.Map;

/**
 * What a copy carries over besides the bytes: user metadata and the standard content headers. A server-side
 * CopyObject carries them by itself; a stream copy and a multipart copy set them on the new object.
 *
 * @param contentType        Content-Type, or null
 * @param contentEncoding    Content-Encoding, or null
 * @param contentDisposition Content-Disposition, or null
 * @param contentLanguage    Content-Language, or null
 * @param cacheControl       Cache-Control, or null
 * @param metadata           user metadata ({@code x-amz-meta-*}), never null
 * @param kmsEncrypted       true when the source is SSE-KMS encrypted (its ETag is then not an MD5)
 */
public record ObjectAttributes(String contentType, String contentEncoding, String contentDisposition,
                               String contentLanguage, String cacheControl, Map<String, String> metadata,
                               boolean kmsEncrypted) {

    public static ObjectAttributes of(HeadObjectResponse r) {
        return new ObjectAttributes(r.contentType(), r.contentEncoding(), r.contentDisposition(),
                r.contentLanguage(), r.cacheControl(), r.metadata(), isKms(r.serverSideEncryptionAsString()));
    }

    public static ObjectAttributes of(GetObjectResponse r) {
        return new ObjectAttributes(r.contentType(), r.contentEncoding(), r.contentDisposition(),
                r.contentLanguage(), r.cacheControl(), r.metadata(), isKms(r.serverSideEncryptionAsString()));
    }

    public PutObjectRequest.Builder applyTo(PutObjectRequest.Builder request) {
        return request.contentType(contentType).contentEncoding(contentEncoding)
                .contentDisposition(contentDisposition).contentLanguage(contentLanguage).cacheControl(cacheControl)
                .metadata(metadata);
    }

    public CreateMultipartUploadRequest.Builder applyTo(CreateMultipartUploadRequest.Builder request) {
        return request.contentType(contentType).contentEncoding(contentEncoding)
                .contentDisposition(contentDisposition).contentLanguage(contentLanguage).cacheControl(cacheControl)
                .metadata(metadata);
    }

    private static boolean isKms(String sse) {
        return sse != null && sse.startsWith("aws:kms");
    }
}
