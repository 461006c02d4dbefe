package io.tieredarchive.s3;

import io.tieredarchive.config.S3Connection;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class S3WriteOptionsTest {

    @Test
    void appliesStorageClassAndKmsToEveryWriteRequest() {
        S3WriteOptions options = new S3WriteOptions("STANDARD_IA", S3Connection.Sse.KMS, "arn:aws:kms:key/1");
        PutObjectRequest put = options.applyTo(PutObjectRequest.builder()).build();
        CopyObjectRequest copy = options.applyTo(CopyObjectRequest.builder()).build();
        CreateMultipartUploadRequest create = options.applyTo(CreateMultipartUploadRequest.builder()).build();
        assertEquals(StorageClass.STANDARD_IA, put.storageClass());
        assertEquals(StorageClass.STANDARD_IA, copy.storageClass());
        assertEquals(StorageClass.STANDARD_IA, create.storageClass());
        assertEquals(ServerSideEncryption.AWS_KMS, put.serverSideEncryption());
        assertEquals(ServerSideEncryption.AWS_KMS, copy.serverSideEncryption());
        assertEquals(ServerSideEncryption.AWS_KMS, create.serverSideEncryption());
        assertEquals("arn:aws:kms:key/1", put.ssekmsKeyId());
        assertEquals("arn:aws:kms:key/1", copy.ssekmsKeyId());
        assertEquals("arn:aws:kms:key/1", create.ssekmsKeyId());
    }

    @Test
    void sseS3SendsNoKeyAndNoneSendsNothing() {
        PutObjectRequest aes = new S3WriteOptions(null, S3Connection.Sse.AES256, "ignored")
                .applyTo(PutObjectRequest.builder()).build();
        assertEquals(ServerSideEncryption.AES256, aes.serverSideEncryption());
        assertNull(aes.ssekmsKeyId());
        assertNull(aes.storageClass());

        PutObjectRequest none = new S3WriteOptions(null, S3Connection.Sse.NONE, null)
                .applyTo(PutObjectRequest.builder()).build();
        assertNull(none.serverSideEncryption());
        assertNull(none.storageClass());
    }

    @Test
    void takesTheConnectionsOptionsAndCanOverrideTheStorageClass() {
        S3Connection c = new S3Connection("b", "", "us-east-1", null, false, null, null,
                S3Connection.ChecksumMode.WHEN_SUPPORTED, "GLACIER_IR", S3Connection.Sse.AES256, null, 8L << 20, 8, 3);
        S3WriteOptions options = S3WriteOptions.of(c);
        assertEquals(new S3WriteOptions("GLACIER_IR", S3Connection.Sse.AES256, null), options);
        assertEquals("ONEZONE_IA", options.withStorageClass("ONEZONE_IA").storageClass());
        assertNull(options.withStorageClass(null).applyTo(CopyObjectRequest.builder()).build().storageClass());
    }
}
