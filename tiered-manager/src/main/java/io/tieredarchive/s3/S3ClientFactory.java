package io.tieredarchive.s3;

import io.tieredarchive.config.S3Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;

import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Builds the AWS SDK v2 S3 clients of this project from an {@link S3Connection}, so that every component talks to
 * S3 the same way:
 * <ul>
 *   <li>{@code s3.endpoint} overrides the endpoint (S3-compatible stores), {@code s3.path.style.access} forces
 *       path-style addressing, {@code s3.region} sets the region;</li>
 *   <li>static keys when {@code s3.access.key.id}/{@code s3.secret.access.key} are set, else the SDK's default
 *       credentials chain;</li>
 *   <li>{@code s3.checksum.mode} sets both the request checksum calculation and the response checksum validation;</li>
 *   <li>{@code s3.retry.max.attempts} bounds the SDK's standard retry strategy (exponential backoff with jitter,
 *       throttling and 5xx errors retried, the AWS retry conditions added);</li>
 *   <li>{@code s3.max.concurrency} bounds the Netty client's open connections (requests in flight); requests beyond
 *       it wait for a connection rather than fail.</li>
 * </ul>
 * Three kinds: {@link #asyncClient} (no bound beyond the HTTP client's own timeouts: for the bucket copy, whose
 * server-side copies of large parts may take minutes),
 * {@link #requestClient} (each attempt and each call bounded) and {@link #uploadClient} (each attempt bounded by
 * the part size). Storage class and server-side encryption are per request: see {@link S3WriteOptions}.
 *
 * <p>{@code s3.checksum.mode} governs only the checksums the SDK computes itself (a CRC32 trailer on uploads,
 * response validation). Uploads of the tier carry their own precomputed CRC32C as a plain header in either mode,
 * so the store checks them even with {@code when_required} (see {@code S3StorageBackend}).
 *
 * <p>The secret is never logged: {@link S3Connection#toString()} hides it, and this class logs only the endpoint,
 * region, bucket and the kind of credentials.
 */
public final class S3ClientFactory {

    private static final Logger log = LoggerFactory.getLogger(S3ClientFactory.class);

    /** How long a request waits for a free connection when {@code s3.max.concurrency} are busy. */
    static final Duration CONNECTION_ACQUISITION_TIMEOUT = Duration.ofMinutes(2);
    /** Requests that may wait for a connection; far above any task's own bound on in-flight work. */
    static final int MAX_PENDING_CONNECTION_ACQUIRES = 100_000;
    /**
     * The longest one attempt of a single request may take ({@link #requestClient}): a HEAD or LIST answers in
     * milliseconds, and the largest ranged GET (a restore chunk of a few MiB) in seconds even on a slow link.
     */
    public static final Duration REQUEST_ATTEMPT_TIMEOUT = Duration.ofMinutes(2);
    /** The slowest upload rate an upload attempt is given time for before it is abandoned and retried. */
    public static final long MIN_UPLOAD_BYTES_PER_SECOND = 256L * 1024;

    private S3ClientFactory() {
    }

    /**
     * An async client without the SDK's automatic multipart: each call is one S3 request, so the caller controls
     * parts itself (the bucket copy does, to bound memory and to copy parts server-side). The caller closes it.
     */
    public static S3AsyncClient asyncClient(S3Connection connection) {
        return builder(connection, o -> { }).build();
    }

    /**
     * A client for uploads (PutObject and the parts of a multipart upload, which {@code S3StorageBackend} drives
     * itself so that each part carries its own checksum): no SDK multipart, each attempt bounded by
     * {@link #uploadAttemptTimeout} of {@code s3.part.size.bytes}, the most one request sends. The caller closes it.
     */
    public static S3AsyncClient uploadClient(S3Connection connection) {
        Duration attempt = uploadAttemptTimeout(connection.partSizeBytes());
        return builder(connection, o -> o.apiCallAttemptTimeout(attempt)).build();
    }

    /**
     * A client for single requests (HEAD, LIST, ranged GET, small PUT, DELETE): no SDK multipart, each attempt
     * bounded by {@link #REQUEST_ATTEMPT_TIMEOUT} and the whole call, retries included, by {@code callTimeout}. A
     * store that accepts a connection and never answers then turns into an error the caller can retry or report,
     * instead of a thread that waits for ever. The caller closes it.
     */
    public static S3AsyncClient requestClient(S3Connection connection, Duration callTimeout) {
        return builder(connection, o -> o.apiCallAttemptTimeout(REQUEST_ATTEMPT_TIMEOUT).apiCallTimeout(callTimeout))
                .build();
    }

    /** The per-attempt bound of a request that sends {@code bytes}: a minute, plus the bytes at 256 KiB/s. */
    public static Duration uploadAttemptTimeout(long bytes) {
        return Duration.ofMinutes(1).plusSeconds(bytes / MIN_UPLOAD_BYTES_PER_SECOND);
    }

    private static S3AsyncClientBuilder builder(S3Connection connection,
                                                Consumer<ClientOverrideConfiguration.Builder> overrides) {
        log.info("S3 client for bucket '{}' at {} (region {}, path-style {}, {} credentials, checksums {}, "
                        + "{} connections, {} attempts per request)", connection.bucket(),
                connection.endpoint() == null ? "AWS S3" : connection.endpoint(), connection.region(),
                connection.pathStyleAccess(), connection.hasStaticCredentials() ? "static" : "default-chain",
                connection.checksumMode(), connection.maxConcurrency(), connection.retryMaxAttempts());
        S3AsyncClientBuilder builder = S3AsyncClient.builder()
                .region(Region.of(connection.region()))
                .forcePathStyle(connection.pathStyleAccess())
                .credentialsProvider(credentialsProvider(connection))
                .requestChecksumCalculation(requestChecksumCalculation(connection.checksumMode()))
                .responseChecksumValidation(responseChecksumValidation(connection.checksumMode()))
                .httpClientBuilder(httpClientBuilder(connection));
        if (connection.endpoint() != null) {
            builder.endpointOverride(URI.create(connection.endpoint()));
        }
        builder.overrideConfiguration(o -> {
            o.retryStrategy(retryStrategy(connection));
            if (connection.endpoint() != null) {
                o.addExecutionInterceptor(new WithoutMpuObjectSize());
            }
            overrides.accept(o);
        });
        return builder;
    }

    /** Static keys when both are configured, else the SDK's default credentials chain. */
    public static AwsCredentialsProvider credentialsProvider(S3Connection connection) {
        if (connection.hasStaticCredentials()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(connection.accessKeyId(),
                    connection.secretAccessKey().value()));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    /** The SDK's standard retry strategy (with the AWS retry conditions) limited to {@code s3.retry.max.attempts}. */
    public static RetryStrategy retryStrategy(S3Connection connection) {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(connection.retryMaxAttempts())
                .build();
    }

    /** The Netty client: at most {@code s3.max.concurrency} connections, waiting requests queued. */
    public static NettyNioAsyncHttpClient.Builder httpClientBuilder(S3Connection connection) {
        return NettyNioAsyncHttpClient.builder()
                .maxConcurrency(connection.maxConcurrency())
                .maxPendingConnectionAcquires(MAX_PENDING_CONNECTION_ACQUIRES)
                .connectionAcquisitionTimeout(CONNECTION_ACQUISITION_TIMEOUT);
    }

    /**
     * Drops {@code x-amz-mp-object-size}, which the SDK's multipart client adds to CompleteMultipartUpload as an
     * optional check of AWS S3, and which S3-compatible stores may refuse (S3Proxy 4.1 answers 501 Not
     * Implemented). Added for stores with an endpoint override only, for any client that uses SDK multipart (this
     * project's own multipart uploads never send it); it changes nothing else.
     */
    static final class WithoutMpuObjectSize implements ExecutionInterceptor {
        @Override
        public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
            if (context.request() instanceof CompleteMultipartUploadRequest complete
                    && complete.mpuObjectSize() != null) {
                return complete.toBuilder().mpuObjectSize(null).build();
            }
            return context.request();
        }
    }

    static RequestChecksumCalculation requestChecksumCalculation(S3Connection.ChecksumMode mode) {
        return switch (mode) {
            case WHEN_SUPPORTED -> RequestChecksumCalculation.WHEN_SUPPORTED;
            case WHEN_REQUIRED -> RequestChecksumCalculation.WHEN_REQUIRED;
        };
    }

    static ResponseChecksumValidation responseChecksumValidation(S3Connection.ChecksumMode mode) {
        return switch (mode) {
            case WHEN_SUPPORTED -> ResponseChecksumValidation.WHEN_SUPPORTED;
            case WHEN_REQUIRED -> ResponseChecksumValidation.WHEN_REQUIRED;
        };
    }
}
