package io.tieredarchive.s3;

import io.tieredarchive.config.S3Connection;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class S3ClientFactoryTest {

    static S3Connection connection(String endpoint, String accessKey, String secret, S3Connection.ChecksumMode mode,
                                   int attempts) {
        return new S3Connection("bucket", "prefix", "eu-west-3", endpoint, true, accessKey,
                secret == null ? null : new Password(secret), mode, null, S3Connection.Sse.NONE, null,
                8L << 20, 16, attempts);
    }

    @Test
    void mapsEndpointRegionChecksumsAndRetries() {
        S3Connection c = connection("http://127.0.0.1:9000", "AKIDEXAMPLE", "s3cr3t-value",
                S3Connection.ChecksumMode.WHEN_REQUIRED, 7);
        try (S3AsyncClient client = S3ClientFactory.asyncClient(c)) {
            S3ServiceClientConfiguration config = client.serviceClientConfiguration();
            assertEquals(Region.EU_WEST_3, config.region());
            assertEquals(URI.create("http://127.0.0.1:9000"), config.endpointOverride().orElseThrow());
            assertEquals(RequestChecksumCalculation.WHEN_REQUIRED, config.requestChecksumCalculation());
            assertEquals(ResponseChecksumValidation.WHEN_REQUIRED, config.responseChecksumValidation());
            assertEquals(7, config.overrideConfiguration().retryStrategy().orElseThrow().maxAttempts());
            AwsCredentials credentials = (AwsCredentials) config.credentialsProvider().resolveIdentity().join();
            assertEquals("AKIDEXAMPLE", credentials.accessKeyId());
            assertEquals("s3cr3t-value", credentials.secretAccessKey());
        }
    }

    @Test
    void withoutEndpointUsesAwsAndWhenSupportedChecksums() {
        S3Connection c = connection(null, null, null, S3Connection.ChecksumMode.WHEN_SUPPORTED, 10);
        try (S3AsyncClient client = S3ClientFactory.asyncClient(c)) {
            S3ServiceClientConfiguration config = client.serviceClientConfiguration();
            assertTrue(config.endpointOverride().isEmpty());
            assertEquals(RequestChecksumCalculation.WHEN_SUPPORTED, config.requestChecksumCalculation());
            assertEquals(ResponseChecksumValidation.WHEN_SUPPORTED, config.responseChecksumValidation());
        }
    }

    @Test
    void withoutKeysUsesTheDefaultCredentialsChain() {
        assertInstanceOf(DefaultCredentialsProvider.class, S3ClientFactory.credentialsProvider(
                connection(null, null, null, S3Connection.ChecksumMode.WHEN_SUPPORTED, 3)));
        // A key id without a secret is not a static credential either (validate() reports it).
        assertInstanceOf(DefaultCredentialsProvider.class, S3ClientFactory.credentialsProvider(
                connection(null, "AKIDEXAMPLE", null, S3Connection.ChecksumMode.WHEN_SUPPORTED, 3)));
    }

    @Test
    void retryStrategyIsTheSdkStandardOneWithTheConfiguredAttempts() {
        var strategy = S3ClientFactory.retryStrategy(
                connection(null, null, null, S3Connection.ChecksumMode.WHEN_SUPPORTED, 4));
        assertInstanceOf(software.amazon.awssdk.retries.StandardRetryStrategy.class, strategy);
        assertEquals(4, strategy.maxAttempts());
    }

    @Test
    void theSecretNeverAppearsInTheConnectionsText() {
        S3Connection c = connection("http://127.0.0.1:9000", "AKIDEXAMPLE", "s3cr3t-value",
                S3Connection.ChecksumMode.WHEN_SUPPORTED, 3);
        assertFalse(c.toString().contains("s3cr3t-value"), c.toString());
    }
}
