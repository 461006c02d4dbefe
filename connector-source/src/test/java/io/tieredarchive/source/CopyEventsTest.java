package io.tieredarchive.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tieredarchive.source.copy.CopyResult;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.StringConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CopyEventsTest {

    private static final TaskConverters STRUCTS = new TaskConverters(TaskConverters.Kind.SCHEMA,
            TaskConverters.Kind.SCHEMA);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void oneRecordPerObjectWithItsKeyAsResumePoint() throws Exception {
        Map<String, Object> partition = CopyEvents.partition("src", "data", 1, 4);
        CopyEvents events = new CopyEvents("topic", partition, "src", "dst", STRUCTS);
        Instant time = Instant.parse("2026-01-31T12:00:00.123Z");
        CopyResult result = new CopyResult("data/ä.bin", "copy/ä.bin", CopyResult.Status.COPIED,
                CopyResult.Method.STREAM, "refused", 12, "\"etag\"", "\"src-etag\"", "abc",
                CopyResult.Verification.MD5, 0, 3, 42, time, null);
        SourceRecord record = events.record(result);
        assertEquals("topic", record.topic());
        assertEquals("data/ä.bin", record.key());
        assertEquals(partition, record.sourcePartition());
        assertEquals(Map.of("after", "data/ä.bin"), record.sourceOffset());
        assertEquals(time.toEpochMilli(), record.timestamp());

        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "false"), false);
        JsonNode json = new ObjectMapper().readTree(converter.fromConnectData("topic", record.valueSchema(),
                record.value()));
        assertEquals("s3://src/data/ä.bin", json.get("source").asText());
        assertEquals("s3://dst/copy/ä.bin", json.get("destination").asText());
        assertEquals("copied", json.get("status").asText());
        assertEquals("stream", json.get("mode").asText());
        assertEquals("refused", json.get("fallback").asText());
        assertEquals(12, json.get("size").asLong());
        assertEquals("md5", json.get("verifiedBy").asText());
        assertEquals(3, json.get("requests").asInt());
        assertEquals(42, json.get("durationMs").asLong());
        assertEquals("2026-01-31T12:00:00.123Z", json.get("time").asText());
        assertTrue(json.get("error").isNull());
    }

    @Test
    void aFailedObjectHasNoModeAndSaysWhy() {
        CopyEvents events = new CopyEvents("t", CopyEvents.partition("s", "", 0, 1), "s", "d", STRUCTS);
        SourceRecord record = events.record(CopyResult.failed("k", "k", 5, "\"e\"", 1, 2, "gone"));
        org.apache.kafka.connect.data.Struct value = (org.apache.kafka.connect.data.Struct) record.value();
        assertEquals("failed", value.getString("status"));
        assertEquals(null, value.getString("mode"));
        assertEquals("gone", value.getString("error"));
    }

    /** The same JSON in the topic whichever of the three converters the task's records go through. */
    @Test
    void writesTheSameJsonThroughByteArrayStringAndJsonConverters() throws Exception {
        CopyResult result = new CopyResult("data/ä \"q\".bin", "copy/ä \"q\".bin", CopyResult.Status.COPIED,
                CopyResult.Method.SERVER_SIDE, null, 7, "\"e\"", "\"e\"", null, CopyResult.Verification.ETAG, 0, 1,
                5, Instant.parse("2026-01-31T12:00:00Z"), null);
        Map<String, Object> partition = CopyEvents.partition("src", "data", 0, 1);

        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "false"), false);
        SourceRecord structs = new CopyEvents("t", partition, "src", "dst", STRUCTS).record(result);
        JsonNode expected = JSON.readTree(json.fromConnectData("t", structs.valueSchema(), structs.value()));

        ByteArrayConverter bytes = new ByteArrayConverter();
        SourceRecord asBytes = new CopyEvents("t", partition, "src", "dst",
                new TaskConverters(TaskConverters.Kind.BYTES, TaskConverters.Kind.BYTES)).record(result);
        assertEquals("data/ä \"q\".bin", new String(bytes.fromConnectData("t", asBytes.keySchema(), asBytes.key()),
                StandardCharsets.UTF_8));
        assertEquals(expected, JSON.readTree(bytes.fromConnectData("t", asBytes.valueSchema(), asBytes.value())));

        StringConverter strings = new StringConverter();
        strings.configure(Map.of(), false);
        SourceRecord asText = new CopyEvents("t", partition, "src", "dst",
                new TaskConverters(TaskConverters.Kind.STRING, TaskConverters.Kind.STRING)).record(result);
        assertEquals("data/ä \"q\".bin", new String(strings.fromConnectData("t", asText.keySchema(), asText.key()),
                StandardCharsets.UTF_8));
        assertEquals(expected, JSON.readTree(strings.fromConnectData("t", asText.valueSchema(), asText.value())));
        assertEquals(asBytes.sourceOffset(), asText.sourceOffset());
        assertEquals(structs.timestamp(), asText.timestamp());
    }
}
