package io.tieredarchive.source.replay;

import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.segment.ArchivedRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;

import io.tieredarchive.source.SourcePartitions;

import java.util.List;
import java.util.Map;

/**
 * The records a replay hands to Connect, and its place in Connect's offset storage: source partition
 * {@code {"topic": <archived topic>, "partition": <archived partition>, "incarnation": <incarnation id>}} (without
 * {@code incarnation} for the legacy incarnation, as before incarnations existed, so that a replay of a legacy archive
 * resumes where an older version stopped), source offset
 * {@code {"offset": <the original offset of the next record to replay>}}.
 *
 * <p>Key, value and header values are optional bytes ({@link Schema#OPTIONAL_BYTES_SCHEMA}), exactly as archived;
 * with {@code ByteArrayConverter} for key, value and headers the target topic gets the archived bytes. A record
 * archived without a timestamp (a pre-0.10 message) gets none, so the producer stamps it.
 */
public final class ReplayRecords {

    public static final String PARTITION_TOPIC = "topic";
    public static final String PARTITION_PARTITION = "partition";
    public static final String PARTITION_INCARNATION = "incarnation";
    public static final String OFFSET = "offset";

    private ReplayRecords() {
    }

    /**
     * {@code {"topic": .., "partition": .., "incarnation": ..}} in this order in every JVM (see
     * {@link SourcePartitions}); without {@code incarnation} for the legacy incarnation.
     */
    public static Map<String, Object> sourcePartition(ArchivePartition p) {
        if (p.incarnation().isLegacy()) {
            return SourcePartitions.of(PARTITION_TOPIC, p.topic(), PARTITION_PARTITION, p.partition());
        }
        return SourcePartitions.of(PARTITION_TOPIC, p.topic(), PARTITION_PARTITION, p.partition(),
                PARTITION_INCARNATION, p.incarnation().id());
    }

    public static Map<String, Object> sourceOffset(long nextOffset) {
        return Map.of(OFFSET, nextOffset);
    }

    /**
     * The furthest next offset among {@code stored}, the offsets found for one partition under any field order
     * ({@link SourcePartitions#storedOffsets}); null when there is none.
     */
    public static Long nextOffset(List<Map<String, Object>> stored) {
        Long furthest = null;
        for (Map<String, Object> offset : stored) {
            Long next = nextOffset(offset);
            if (next != null && (furthest == null || next > furthest)) {
                furthest = next;
            }
        }
        return furthest;
    }

    /** The next offset to replay stored in {@code offset}, or null when there is none. */
    public static Long nextOffset(Map<String, ?> offset) {
        if (offset == null || offset.get(OFFSET) == null) {
            return null;
        }
        if (offset.get(OFFSET) instanceof Number n && n.longValue() >= 0) {
            return n.longValue();
        }
        throw new ConnectException("Source offset " + offset + " is not {\"" + OFFSET + "\": <offset>} with an "
                + "offset of 0 or more");
    }

    /** Checks a source partition written by a user through the REST API. */
    public static void checkPartition(Map<String, ?> partition) {
        Object incarnation = partition == null ? null : partition.get(PARTITION_INCARNATION);
        if (partition == null || !(partition.get(PARTITION_TOPIC) instanceof String)
                || !(partition.get(PARTITION_PARTITION) instanceof Number p) || p.longValue() < 0
                || (incarnation != null && (!(incarnation instanceof String id) || Incarnation.parse(id).isEmpty()))) {
            throw new ConnectException("Source partition " + partition + " is not {\"" + PARTITION_TOPIC
                    + "\": <archived topic>, \"" + PARTITION_PARTITION + "\": <partition>}, with \""
                    + PARTITION_INCARNATION + "\": <clusterId>.<topicId> for an incarnation other than legacy");
        }
    }

    /**
     * The record to produce for {@code record} of the archived partition {@code archived}: to {@code topic},
     * partition {@code partition} (null: the producer chooses by key).
     */
    public static SourceRecord toSourceRecord(Map<String, ?> sourcePartition, ArchivedRecord record, String topic,
                                              Integer partition) {
        ConnectHeaders headers = new ConnectHeaders();
        for (Header h : record.headers()) {
            headers.add(h.key(), new SchemaAndValue(Schema.OPTIONAL_BYTES_SCHEMA, h.value()));
        }
        Long timestamp = record.timestampType() == TimestampType.NO_TIMESTAMP_TYPE || record.timestamp() < 0
                ? null : record.timestamp();
        return new SourceRecord(sourcePartition, sourceOffset(record.offset() + 1), topic, partition,
                Schema.OPTIONAL_BYTES_SCHEMA, record.key(), Schema.OPTIONAL_BYTES_SCHEMA, record.value(),
                timestamp, headers);
    }
}
