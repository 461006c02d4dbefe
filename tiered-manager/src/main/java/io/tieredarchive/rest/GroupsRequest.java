package io.tieredarchive.rest;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The body of {@code POST /tiered-archive/groups}, checked field by field:
 * {@code {"connector": "dr-replay", "topics": ["orders"], "group": "billing-.*", "at": "2026-01-31T12:00:00Z",
 * "apply": false}}. {@code connector} (the replay connector, whose config names the archive, the topics and the target
 * cluster) is required; {@code topics} defaults to the replay's, {@code group} to every group, {@code at} to now
 * (ISO-8601 or epoch milliseconds), {@code apply} to false (a dry run). Anything else is a 400 naming the field.
 */
record GroupsRequest(String connector, List<String> topics, Pattern group, long atMs, boolean apply) {

    private static final Set<String> FIELDS = Set.of("connector", "topics", "group", "at", "apply");

    static GroupsRequest parse(InputStream body, long nowMs) throws RestException {
        JsonNode json = RestoreRequest.read(body);
        if (!json.isObject()) {
            throw RestException.badRequest("The body must be a JSON object like {\"connector\": \"dr-replay\"}, got "
                    + json.getNodeType());
        }
        for (var it = json.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw RestException.badRequest("Unknown field '" + field + "'; the fields are connector, topics, "
                        + "group, at, apply");
            }
        }
        String connector = RestoreRequest.text(json, "connector", true);
        List<String> topics = new ArrayList<>();
        JsonNode list = json.get("topics");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw RestException.badRequest("'topics' must be an array of topic names, got " + list);
            }
            for (JsonNode t : list) {
                if (!t.isTextual()) {
                    throw RestException.badRequest("'topics' must be an array of topic names, got " + list);
                }
                topics.add(RequestValues.topic(t.textValue()));
            }
        }
        String group = RestoreRequest.text(json, "group", false);
        Pattern pattern;
        try {
            pattern = Pattern.compile(group == null ? ".*" : group);
        } catch (PatternSyntaxException e) {
            throw RestException.badRequest("'group' is not a regular expression: " + e.getDescription());
        }
        JsonNode apply = json.get("apply");
        if (apply != null && !apply.isNull() && !apply.isBoolean()) {
            throw RestException.badRequest("'apply' must be true or false, got " + apply);
        }
        return new GroupsRequest(connector, topics, pattern, at(json.get("at"), nowMs),
                apply != null && apply.booleanValue());
    }

    private static long at(JsonNode at, long nowMs) throws RestException {
        if (at == null || at.isNull()) {
            return nowMs;
        }
        if (at.isIntegralNumber() && at.canConvertToLong() && at.longValue() >= 0) {
            return at.longValue();
        }
        if (at.isTextual()) {
            try {
                return Instant.parse(at.textValue()).toEpochMilli();
            } catch (DateTimeParseException e) {
                // reported below
            }
        }
        throw RestException.badRequest("'at' must be an ISO-8601 instant (2026-01-31T12:00:00Z) or epoch "
                + "milliseconds, got " + at);
    }
}
