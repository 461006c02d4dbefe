package io.tieredarchive.rest;

import io.tieredarchive.tier.remote.IncarnationSelection;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /tiered-archive/restore}, checked field by field:
 * {@code {"topic": "orders", "partition": 3, "fromOffset": 0, "toOffset": 99, "directory": "orders-3",
 * "connector": "orders-archive", "incarnation": "latest"}}. {@code topic} and {@code partition} are required; the
 * others are optional ({@code fromOffset} 0, {@code toOffset} the end, {@code directory} the restore root itself,
 * {@code connector} as for every request, {@code incarnation} the newest). Malformed JSON, a field of the wrong type, a number out of range or a field not listed here
 * is a 400 naming it. The body is read by this class, not by JAX-RS, so that no parser error reaches Connect's
 * exception mapper (which answers 500).
 *
 * @param toOffset -1 for the end of the archive
 */
record RestoreRequest(String topic, int partition, long fromOffset, long toOffset, String directory,
                      String connector, IncarnationSelection incarnation) {

    /** The largest body read; a restore request is a few hundred bytes. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private static final Set<String> FIELDS = Set.of("topic", "partition", "fromOffset", "toOffset", "directory",
            "connector", "incarnation");
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static RestoreRequest parse(InputStream body) throws RestException {
        JsonNode json = read(body);
        if (!json.isObject()) {
            throw RestException.badRequest("The body must be a JSON object like {\"topic\": \"orders\", "
                    + "\"partition\": 0, \"directory\": \"orders-0\"}, got " + json.getNodeType());
        }
        for (var it = json.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw RestException.badRequest("Unknown field '" + field + "'; the fields are topic, partition, "
                        + "fromOffset, toOffset, directory, connector, incarnation");
            }
        }
        String topic = RequestValues.topic(text(json, "topic", true));
        int partition = (int) number(json, "partition", Integer.MAX_VALUE, -1);
        if (partition < 0) {
            throw RestException.badRequest("'partition' is required: a whole number from 0 to " + Integer.MAX_VALUE);
        }
        long from = number(json, "fromOffset", Long.MAX_VALUE, 0);
        long to = number(json, "toOffset", Long.MAX_VALUE, -1);
        if (to >= 0 && to < from) {
            throw RestException.badRequest("'toOffset' (" + to + ") must not be below 'fromOffset' (" + from + ")");
        }
        return new RestoreRequest(topic, partition, from, to, text(json, "directory", false),
                text(json, "connector", false), RequestValues.incarnation(text(json, "incarnation", false)));
    }

    /** What the job status repeats of the request. */
    Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("topic", topic);
        out.put("partition", partition);
        out.put("fromOffset", fromOffset);
        if (toOffset >= 0) {
            out.put("toOffset", toOffset);
        }
        if (directory != null) {
            out.put("directory", directory);
        }
        if (connector != null) {
            out.put("connector", connector);
        }
        out.put("incarnation", incarnation.spec());
        return out;
    }

    static JsonNode read(InputStream body) throws RestException {
        byte[] bytes;
        try {
            bytes = body == null ? new byte[0] : body.readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw RestException.badRequest("Cannot read the request body: " + e.getMessage());
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new RestException(413, "The request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        if (bytes.length == 0) {
            throw RestException.badRequest("The body is empty; it must be a JSON object like {\"topic\": \"orders\", "
                    + "\"partition\": 0}");
        }
        try {
            return JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String what = e.getOriginalMessage();
            int cut = what.indexOf(" (start marker");
            throw RestException.badRequest("The body is not valid JSON: " + (cut > 0 ? what.substring(0, cut) : what)
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw RestException.badRequest("Cannot read the request body: " + e.getMessage());
        }
    }

    static String text(JsonNode json, String field, boolean required) throws RestException {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw RestException.badRequest("'" + field + "' is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw RestException.badRequest("'" + field + "' must be a string, got " + value);
        }
        return value.textValue();
    }

    private static long number(JsonNode json, String field, long max, long absent) throws RestException {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0
                || value.longValue() > max) {
            throw RequestValues.outOfRange(field, value.toString(), 0, max);
        }
        return value.longValue();
    }
}
