package io.tieredarchive.s3;

import io.tieredarchive.config.S3Connection;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import java.util.function.Consumer;

/**
 * What every request that creates an object carries from the connection: the storage class
 * ({@code s3.storage.class}) and server-side encryption ({@code s3.sse}, {@code s3.sse.kms.key.id}). Applied to
 * PutObject, CopyObject and CreateMultipartUpload (UploadPart and UploadPartCopy take them from the upload).
 *
 * @param storageClass storage class name, or null for the bucket's default
 * @param sse          server-side encryption
 * @param sseKmsKeyId  KMS key for {@link S3Connection.Sse#KMS}, or null for the AWS-managed key
 */
public record S3WriteOptions(String storageClass, S3Connection.Sse sse, String sseKmsKeyId) {

    /** The options of {@code connection}. */
    public static S3WriteOptions of(S3Connection connection) {
        return new S3WriteOptions(connection.storageClass(), connection.sse(), connection.sseKmsKeyId());
    }

    /** The same options with another storage class (null: the bucket's default). */
    public S3WriteOptions withStorageClass(String storageClass) {
        return new S3WriteOptions(storageClass, sse, sseKmsKeyId);
    }

    public PutObjectRequest.Builder applyTo(PutObjectRequest.Builder request) {
        apply(request::storageClass, request::serverSideEncryption, request::ssekmsKeyId);
        return request;
    }

    public CopyObjectRequest.Builder applyTo(CopyObjectRequest.Builder request) {
        apply(request::storageClass, request::serverSideEncryption, request::ssekmsKeyId);
        return request;
    }

    public CreateMultipartUploadRequest.Builder applyTo(CreateMultipartUploadRequest.Builder request) {
        apply(request::storageClass, request::serverSideEncryption, request::ssekmsKeyId);
        return request;
    }

    /** The three request builders share no interface for these setters, hence the method references. */
    private void apply(Consumer<String> storageClassSetter, Consumer<String> sseSetter, Consumer<String> kmsSetter) {
        if (storageClass != null) {
            storageClassSetter.accept(storageClass);
        }
        if (sse != S3Connection.Sse.NONE) {
            sseSetter.accept(sse.configValue());
            if (sse == S3Connection.Sse.KMS && sseKmsKeyId != null) {
                kmsSetter.accept(sseKmsKeyId);
            }
        }
    }
}
