package io.tieredarchive.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tieredarchive.source.copy.CopyResult;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;

import java.nio.charset.StandardCharsets;
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
 *  "verifiedBy": "etag" | "md5" | "content-md5" | "parts" | "size" | null,
 *  "parts": 0 (one request) | parts of a multipart copy, "requests": S3 calls made for the object,
 *  "durationMs": 42, "time": "2026-01-31T12:00:00.123Z", "error": null | "why it was not copied"}
 * </pre>
 * The record timestamp is {@code time}.
 *
 * <p>How the key and value are handed to Connect depends on the converters the task's records go through
 * ({@link TaskConverters}): a converter that takes only bytes ({@code ByteArrayConverter})
 * gets the key's UTF-8 bytes and the JSON above as UTF-8 bytes; {@code StringConverter} gets the key and the JSON
 * text; every other converter (JsonConverter, Avro, ...) gets the key as a string and the struct with its schema.
 * So the topic holds the same JSON with {@code ByteArrayConverter}, {@code StringConverter} and
 * {@code JsonConverter} ({@code schemas.enable=false}; with schemas, inside Connect's schema envelope).
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

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;
    private final Map<String, Object> partition;
    private final String sourceBucket;
    private final String destinationBucket;
    private final TaskConverters converters;

    /** @param converters what the task's records are converted with, which decides the form of keys and values */
    public CopyEvents(String topic, Map<String, Object> partition, String sourceBucket, String destinationBucket,
                      TaskConverters converters) {
        this.topic = topic;
        this.partition = partition;
        this.sourceBucket = sourceBucket;
        this.destinationBucket = destinationBucket;
        this.converters = converters;
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
        Integer kafkaPartition = null;
        long timestamp = result.time().toEpochMilli();
        String key = result.sourceKey();
        boolean bytesKey = converters.key() == TaskConverters.Kind.BYTES;
        Schema keySchema = bytesKey ? Schema.BYTES_SCHEMA : Schema.STRING_SCHEMA;
        Object keyData = bytesKey ? key.getBytes(StandardCharsets.UTF_8) : key;
        return switch (converters.value()) {
            case SCHEMA -> new SourceRecord(partition, offset, topic, kafkaPartition, keySchema, keyData,
                    VALUE_SCHEMA, value, timestamp);
            case STRING -> new SourceRecord(partition, offset, topic, kafkaPartition, keySchema, keyData,
                    Schema.STRING_SCHEMA, json(value), timestamp);
            case BYTES -> new SourceRecord(partition, offset, topic, kafkaPartition, keySchema, keyData,
                    Schema.BYTES_SCHEMA, json(value).getBytes(StandardCharsets.UTF_8), timestamp);
        };
    }

    /** The event as JsonConverter with {@code schemas.enable=false} writes it: the fields in schema order. */
    static String json(Struct value) {
        ObjectNode node = JSON.createObjectNode();
        for (Field field : VALUE_SCHEMA.fields()) {
            Object v = value.get(field);
            if (v == null) {
                node.putNull(field.name());
            } else if (v instanceof String s) {
                node.put(field.name(), s);
            } else if (v instanceof Long l) {
                node.put(field.name(), l);
            } else {
                node.put(field.name(), (Integer) v);
            }
        }
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An event of strings and numbers is always JSON", e);
        }
    }
}
