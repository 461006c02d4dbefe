package io.tieredarchive.testing;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3ClientFactory;
import org.apache.kafka.common.config.types.Password;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.util.HashMap;
import java.util.Map;

/** {@link S3Connection}s to an {@link S3ProxyServer} for tests: static keys, path style, a fresh bucket. */
public final class S3TestConnections {

    private S3TestConnections() {
    }

    /** A connection to {@code bucket} on {@code s3} (created if missing), no prefix, defaults elsewhere. */
    public static S3Connection create(S3ProxyServer s3, String bucket) {
        S3Connection connection = new S3Connection(bucket, "", "us-east-1", s3.endpoint(), true, s3.accessKey(),
                new Password(s3.secretKey()), S3Connection.ChecksumMode.WHEN_SUPPORTED, null, S3Connection.Sse.NONE,
                null, 8L * 1024 * 1024, 8, 3);
        try (S3AsyncClient client = S3ClientFactory.asyncClient(connection)) {
            if (client.listBuckets().join().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
                client.createBucket(b -> b.bucket(bucket)).join();
            }
        }
        return connection;
    }

    public static S3Connection withPartSize(S3Connection c, long partSizeBytes) {
        return new S3Connection(c.bucket(), c.prefix(), c.region(), c.endpoint(), c.pathStyleAccess(),
                c.accessKeyId(), c.secretAccessKey(), c.checksumMode(), c.storageClass(), c.sse(), c.sseKmsKeyId(),
                partSizeBytes, c.maxConcurrency(), c.retryMaxAttempts());
    }

    public static S3Connection withPrefix(S3Connection c, String prefix) {
        return new S3Connection(c.bucket(), prefix, c.region(), c.endpoint(), c.pathStyleAccess(),
                c.accessKeyId(), c.secretAccessKey(), c.checksumMode(), c.storageClass(), c.sse(), c.sseKmsKeyId(),
                c.partSizeBytes(), c.maxConcurrency(), c.retryMaxAttempts());
    }

    /** The same connection through another endpoint (a relay in front of the server). */
    public static S3Connection withEndpoint(S3Connection c, String endpoint) {
        return new S3Connection(c.bucket(), c.prefix(), c.region(), endpoint, c.pathStyleAccess(),
                c.accessKeyId(), c.secretAccessKey(), c.checksumMode(), c.storageClass(), c.sse(), c.sseKmsKeyId(),
                c.partSizeBytes(), c.maxConcurrency(), c.retryMaxAttempts());
    }

    public static S3Connection withChecksumMode(S3Connection c, S3Connection.ChecksumMode mode) {
        return new S3Connection(c.bucket(), c.prefix(), c.region(), c.endpoint(), c.pathStyleAccess(),
                c.accessKeyId(), c.secretAccessKey(), mode, c.storageClass(), c.sse(), c.sseKmsKeyId(),
                c.partSizeBytes(), c.maxConcurrency(), c.retryMaxAttempts());
    }

    public static S3Connection withRetries(S3Connection c, int attempts) {
        return new S3Connection(c.bucket(), c.prefix(), c.region(), c.endpoint(), c.pathStyleAccess(),
                c.accessKeyId(), c.secretAccessKey(), c.checksumMode(), c.storageClass(), c.sse(), c.sseKmsKeyId(),
                c.partSizeBytes(), c.maxConcurrency(), attempts);
    }

    /**
     * The S3 keys of a connector (under {@code keyPrefix}: "", "source." or "destination.") for {@code bucket} and
     * {@code prefix} on a test store reached at {@code endpoint} with static keys; region and the rest at their
     * defaults.
     */
    public static Map<String, String> connectorKeys(String keyPrefix, String endpoint, String accessKey,
                                                    String secretKey, String bucket, String prefix) {
        Map<String, String> keys = new HashMap<>();
        keys.put(keyPrefix + "s3.bucket", bucket);
        keys.put(keyPrefix + "s3.prefix", prefix);
        keys.put(keyPrefix + "s3.endpoint", endpoint);
        keys.put(keyPrefix + "s3.path.style.access", "true");
        keys.put(keyPrefix + "s3.access.key.id", accessKey);
        keys.put(keyPrefix + "s3.secret.access.key", secretKey);
        return keys;
    }

    /** {@link #connectorKeys(String, String, String, String, String, String)} for {@code s3} itself. */
    public static Map<String, String> connectorKeys(String keyPrefix, S3ProxyServer s3, String bucket, String prefix) {
        return connectorKeys(keyPrefix, s3.endpoint(), s3.accessKey(), s3.secretKey(), bucket, prefix);
    }

    /** The keys of {@code c}, a connection {@link #create} made, as a connector's config. */
    public static Map<String, String> connectorKeys(String keyPrefix, S3Connection c) {
        Map<String, String> keys = connectorKeys(keyPrefix, c.endpoint(), c.accessKeyId(),
                c.secretAccessKey().value(), c.bucket(), c.prefix());
        keys.put(keyPrefix + "s3.region", c.region());
        return keys;
    }
}
