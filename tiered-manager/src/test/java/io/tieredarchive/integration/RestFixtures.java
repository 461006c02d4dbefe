package io.tieredarchive.integration;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.integration.MonitorableSinkConnector;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the REST extension's end-to-end tests set up: sealed segments, an archive in S3, connector configs. */
public final class RestFixtures {

    public static final String TOPIC = "orders";

    private RestFixtures() {
    }

    /** Seals a segment of {@code count} records from {@code base} in {@code localDir/orders-<partition>}. */
    static SegmentMetadata seal(Path localDir, int partition, long base, int count, String writer) throws Exception {
        try (SegmentWriter w = SegmentWriter.create(localDir.resolve(TOPIC + "-" + partition), TOPIC, partition, base,
                new SegmentWriterOptions("lz4", null, 8192, writer))) {
            for (long o = base; o < base + count; o++) {
                w.append(new ArchivedRecord(o, 1_700_000_000_000L + o, TimestampType.CREATE_TIME, null,
                        ("v" + o).getBytes(StandardCharsets.UTF_8), new Header[0]));
            }
            w.seal(System.currentTimeMillis() - 1_000);
            return SegmentMetadata.read(w.files().marker());
        }
    }

    /**
     * Archives {@code segments} segments of 100 records each (offsets 0 to {@code segments * 100 - 1}) of
     * orders-{@code partition} in the store of {@code connection}, sealed in {@code scratch} first.
     */
    public static void archive(S3Connection connection, int partition, int segments, Path scratch) throws Exception {
        try (RemoteSegmentStore store = RemoteSegmentStore.create(connection)) {
            for (long base = 0; base < segments * 100L; base += 100) {
                SegmentMetadata meta = seal(scratch, partition, base, 100, "rest-it");
                store.upload(io.tieredarchive.segment.SegmentFiles.of(scratch.resolve(TOPIC + "-" + partition),
                        base), meta);
                store.register(ArchivePartition.of(meta), List.of(meta));
            }
        }
    }

    /** A running connector (Connect's test sink, which does nothing) whose config holds the archive's s3.* keys. */
    public static Map<String, String> connectorWithArchiveKeys(S3ProxyServer s3, String endpoint, String bucket,
                                                         String prefix) {
        return new HashMap<>(Map.of("connector.class", MonitorableSinkConnector.class.getName(),
                "tasks.max", "1", "topics", "unrelated", "s3.bucket", bucket, "s3.prefix", prefix,
                "s3.endpoint", endpoint, "s3.path.style.access", "true",
                "s3.access.key.id", s3.accessKey(), "s3.secret.access.key", s3.secretKey()));
    }

    /** {@code connection} on another bucket. */
    static S3Connection onBucket(S3Connection c, String bucket) {
        return new S3Connection(bucket, c.prefix(), c.region(), c.endpoint(), c.pathStyleAccess(),
                c.accessKeyId(), c.secretAccessKey(), c.checksumMode(), c.storageClass(), c.sse(), c.sseKmsKeyId(),
                c.partSizeBytes(), c.maxConcurrency(), 1);
    }
}
