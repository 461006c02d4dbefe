package io.tieredarchive.sink;

import io.tieredarchive.segment.ArchivedRecord;

import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RecordConverterTest {

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void bytesPassThroughAndNullsStayNull() {
        RecordConverter converter = RecordConverter.fromConnectorConfig(Map.of());
        ConnectHeaders headers = new ConnectHeaders();
        headers.add("raw", utf8("h"), Schema.OPTIONAL_BYTES_SCHEMA);
        headers.add("absent", null, Schema.OPTIONAL_BYTES_SCHEMA);
        SinkRecord record = new SinkRecord("t", 2, null, utf8("k"), null, ByteBuffer.wrap(utf8("v")), 42, 7L,
                TimestampType.CREATE_TIME, headers);
        ArchivedRecord archived = converter.convert(record);
        assertEquals(42, archived.offset());
        assertEquals(7, archived.timestamp());
        assertArrayEquals(utf8("k"), archived.key());
        assertArrayEquals(utf8("v"), archived.value());
        assertArrayEquals(utf8("h"), archived.headers()[0].value());
        assertNull(archived.headers()[1].value());

        ArchivedRecord tombstone = converter.convert(new SinkRecord("t", 2, null, null, null, null, 43));
        assertNull(tombstone.key());
        assertNull(tombstone.value());
        assertEquals(TimestampType.NO_TIMESTAMP_TYPE, tombstone.timestampType());
        assertEquals(-1, tombstone.timestamp());
    }

    @Test
    void withoutConvertersInTheConnectorConfigKeysAndValuesBecomePlainJsonAndHeadersText() {
        RecordConverter converter = RecordConverter.fromConnectorConfig(Map.of());
        Schema schema = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString("trace", "abc");
        headers.addInt("n", 5);
        SinkRecord record = new SinkRecord("t", 0, Schema.STRING_SCHEMA, "user-1", schema,
                new Struct(schema).put("id", 7), 0, 1L, TimestampType.CREATE_TIME, headers);
        ArchivedRecord archived = converter.convert(record);
        assertEquals("\"user-1\"", new String(archived.key(), StandardCharsets.UTF_8));
        assertEquals("{\"id\":7}", new String(archived.value(), StandardCharsets.UTF_8));
        assertEquals("abc", new String(archived.headers()[0].value(), StandardCharsets.UTF_8));
        assertEquals("5", new String(archived.headers()[1].value(), StandardCharsets.UTF_8));
    }

    @Test
    void theConnectorsConvertersAndTheirSettingsAreUsed() {
        RecordConverter converter = RecordConverter.fromConnectorConfig(Map.of(
                "key.converter", "org.apache.kafka.connect.storage.StringConverter",
                "value.converter", "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable", "true"));
        SinkRecord record = new SinkRecord("t", 0, Schema.STRING_SCHEMA, "user-1", Schema.INT32_SCHEMA, 7, 0);
        ArchivedRecord archived = converter.convert(record);
        assertEquals("user-1", new String(archived.key(), StandardCharsets.UTF_8));
        assertEquals("{\"schema\":{\"type\":\"int32\",\"optional\":false},\"payload\":7}",
                new String(archived.value(), StandardCharsets.UTF_8));
    }

    @Test
    void recordsAreArchivedUnderTheirOriginalTopicPartitionAndOffset() {
        RecordConverter converter = RecordConverter.fromConnectorConfig(Map.of());
        SinkRecord original = new SinkRecord("orders", 3, null, null, null, utf8("v"), 99);
        SinkRecord renamed = original.newRecord("renamed", 0, null, null, null, utf8("v"), 1L);
        assertEquals(99, converter.convert(renamed).offset());
        assertEquals("orders", renamed.originalTopic());
    }
}
