package io.tieredarchive.source;

import io.tieredarchive.source.copy.CopyResult;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;

import java.util.HashMap;
import java.util.Map;

/**
 * The records of {@code copy.events.topic}, one per object, and the source partition and offset they carry.
 *
 * <p>Key: the source object key (string). Value: a struct named {@code io.tieredarchive.source.CopyEvent}
 * (version 1), which JsonConverter with {@code schemas.enable=false} writes as:
 * <pre>
 * {"source": "s3://src-bucket/prefix/a.bin", "destination": "s3://dst-bucket/prefix/a.bin",
 *  "status": "copied" | "skipped" | "failed",
 *  "mode": "server-side" | "stream" | null,      how the bytes went (null when not copied)
 *  "fallback": null | "why server-side was refused",
 *  "size": 12345, "etag": "\"...\"" (destination), "sourceEtag": "\"...\"",
 *  "md5": null | "hex MD5 of the whole object, when the task hashed it all",
 *  "verifiedBy": "etag" | "md5" | "content-md5" | "size" | null,
 *  "parts": 0 (one request) | parts of a multipart copy, "requests": S3 calls made for the object,
 *  "durationMs": 42, "time": "2026-01-31T12:00:00.123Z", "error": null | "why it was not copied"}
 * </pre>
 * The record timestamp is {@code time}.
 *
 * <p>Source partition: {@code {"bucket": source bucket, "prefix": source prefix, "shard": task's shard,
 * "shards": number of shards}}. Source offset: {@code {"after": key}}: every object of the shard up to and including
 * this key (in listing order) is finished, so a restart lists from just after it.
 */
public final class CopyEvents {

    public static final String PARTITION_BUCKET = "bucket";
    public static final String PARTITION_PREFIX = "prefix";
    public static final String PARTITION_SHARD = "shard";
    public static final String PARTITION_SHARDS = "shards";
    public static final String OFFSET_AFTER = "after";

    public static final Schema VALUE_SCHEMA = SchemaBuilder.struct().name("io.tieredarchive.source.CopyEvent")
            .version(1)
            .field("source", Schema.STRING_SCHEMA)
            .field("destination", Schema.STRING_SCHEMA)
            .field("status", Schema.STRING_SCHEMA)
            .field("mode", Schema.OPTIONAL_STRING_SCHEMA)
            .field("fallback", Schema.OPTIONAL_STRING_SCHEMA)
            .field("size", Schema.INT64_SCHEMA)
            .field("etag", Schema.OPTIONAL_STRING_SCHEMA)
            .field("sourceEtag", Schema.OPTIONAL_STRING_SCHEMA)
            .field("md5", Schema.OPTIONAL_STRING_SCHEMA)
            .field("verifiedBy", Schema.OPTIONAL_STRING_SCHEMA)
            .field("parts", Schema.INT32_SCHEMA)
            .field("requests", Schema.INT32_SCHEMA)
            .field("durationMs", Schema.INT64_SCHEMA)
            .field("time", Schema.STRING_SCHEMA)
            .field("error", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    private final String topic;
    private final Map<String, Object> partition;
    private final String sourceBucket;
    private final String destinationBucket;

    public CopyEvents(String topic, Map<String, Object> partition, String sourceBucket, String destinationBucket) {
        this.topic = topic;
        this.partition = partition;
        this.sourceBucket = sourceBucket;
        this.destinationBucket = destinationBucket;
    }

    /** The source partition of one task: its bucket, prefix and shard, in this order in every JVM. */
    public static Map<String, Object> partition(String bucket, String prefix, int shard, int shards) {
        return SourcePartitions.of(PARTITION_BUCKET, bucket, PARTITION_PREFIX, prefix, PARTITION_SHARD, shard,
                PARTITION_SHARDS, shards);
    }

    /** Throws when {@code partition} (written by a user through the REST API) is not one of ours. */
    public static void checkPartition(Map<String, ?> partition) {
        for (String key : new String[]{PARTITION_BUCKET, PARTITION_PREFIX, PARTITION_SHARD, PARTITION_SHARDS}) {
            if (partition == null || partition.get(key) == null) {
                throw new ConnectException("Source partition " + partition + " lacks '" + key + "'; partitions of "
                        + "the bucket copy are {bucket, prefix, shard, shards}");
            }
        }
    }

    /** The event of one finished object; its offset says that everything up to its key is finished. */
    public SourceRecord record(CopyResult result) {
        Map<String, Object> offset = new HashMap<>();
        offset.put(OFFSET_AFTER, result.sourceKey());
        Struct value = new Struct(VALUE_SCHEMA)
                .put("source", "s3://" + sourceBucket + "/" + result.sourceKey())
                .put("destination", "s3://" + destinationBucket + "/" + result.destinationKey())
                .put("status", result.status().label())
                .put("mode", result.method() == null ? null : result.method().label())
                .put("fallback", result.fallback())
                .put("size", result.size())
                .put("etag", result.etag())
                .put("sourceEtag", result.sourceEtag())
                .put("md5", result.md5())
                .put("verifiedBy", result.verifiedBy() == null ? null : result.verifiedBy().label())
                .put("parts", result.parts())
                .put("requests", result.requests())
                .put("durationMs", result.durationMs())
                .put("time", result.time().toString())
                .put("error", result.error());
        return new SourceRecord(partition, offset, topic, null, Schema.STRING_SCHEMA, result.sourceKey(),
                VALUE_SCHEMA, value, result.time().toEpochMilli());
    }
}
