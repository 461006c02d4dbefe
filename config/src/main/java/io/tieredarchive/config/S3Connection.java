package io.tieredarchive.config;

import org.apache.kafka.common.config.types.Password;

import java.util.Locale;

/**
 * One parsed S3 connection. {@link #toString()} never shows the secret: {@link Password} prints "[hidden]".
 *
 * @param bucket           bucket name
 * @param prefix           key prefix without leading or trailing slash, "" for the bucket's root
 * @param region           region
 * @param endpoint         endpoint URL of an S3-compatible store, or null for AWS
 * @param pathStyleAccess  address buckets by path
 * @param accessKeyId      static access key id, or null for the default credentials chain
 * @param secretAccessKey  static secret, or null
 * @param checksumMode     when request checksums are sent
 * @param storageClass     storage class name, or null for the bucket's default
 * @param sse              server-side encryption
 * @param sseKmsKeyId      KMS key for {@link Sse#KMS}, or null for the AWS-managed key
 * @param partSizeBytes    multipart part size
 * @param maxConcurrency   most requests in flight
 * @param retryMaxAttempts most attempts per request
 */
public record S3Connection(String bucket, String prefix, String region, String endpoint, boolean pathStyleAccess,
                           String accessKeyId, Password secretAccessKey, ChecksumMode checksumMode,
                           String storageClass, Sse sse, String sseKmsKeyId, long partSizeBytes, int maxConcurrency,
                           int retryMaxAttempts) {

    /** True when static keys are configured; false means the SDK's default credentials chain. */
    public boolean hasStaticCredentials() {
        return accessKeyId != null && secretAccessKey != null && secretAccessKey.value() != null;
    }

    /** {@code prefix + "/" + relative}, or {@code relative} alone when there is no prefix. */
    public String key(String relative) {
        return prefix.isEmpty() ? relative : prefix + "/" + relative;
    }

    /**
     * Where this connection archives, as a marker records it ({@code destination}): {@code s3://<bucket>/<prefix>},
     * and {@code " at <endpoint>"} for an S3-compatible store. Two connections with the same destination write the
     * same objects, whatever their credentials.
     */
    public String destination() {
        return "s3://" + bucket + "/" + prefix + (endpoint == null ? "" : " at " + endpoint);
    }

    /** True when the other connection archives to the same place: same bucket, prefix and endpoint. */
    public boolean sameDestination(S3Connection other) {
        return destination().equals(other.destination());
    }

    /**
     * True when a server-side copy between the two connections can work: the same store and the same
     * credentials (a copy is authorised by the destination's credentials reading the source).
     */
    public boolean sameStoreAndCredentials(S3Connection other) {
        return java.util.Objects.equals(endpoint, other.endpoint)
                && java.util.Objects.equals(region, other.region)
                && java.util.Objects.equals(accessKeyId, other.accessKeyId)
                && java.util.Objects.equals(secretValue(), other.secretValue());
    }

    private String secretValue() {
        return secretAccessKey == null ? null : secretAccessKey.value();
    }

    /** When the SDK computes request checksums. */
    public enum ChecksumMode {
        WHEN_SUPPORTED, WHEN_REQUIRED;

        static ChecksumMode of(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    /** Server-side encryption. */
    public enum Sse {
        NONE("none"), AES256("AES256"), KMS("aws:kms");

        private final String configValue;

        Sse(String configValue) {
            this.configValue = configValue;
        }

        public String configValue() {
            return configValue;
        }

        static Sse of(String s) {
            for (Sse v : values()) {
                if (v.configValue.equals(s)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("Unknown s3.sse: " + s);
        }
    }
}
