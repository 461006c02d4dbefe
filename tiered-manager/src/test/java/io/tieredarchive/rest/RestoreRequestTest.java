package io.tieredarchive.rest;

import io.tieredarchive.tier.remote.IncarnationSelection;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad restore body is a 4xx that names what is wrong. */
class RestoreRequestTest {

    private static RestoreRequest parse(String body) throws RestException {
        return RestoreRequest.parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static void refused(String body, int status, String mentioned) {
        RestException e = assertThrows(RestException.class, () -> parse(body), body);
        assertEquals(status, e.status(), body + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(mentioned), "expected '" + mentioned + "' in: " + e.getMessage());
    }

    @Test
    void aFullRequestAndItsDefaults() throws Exception {
        RestoreRequest full = parse("{\"topic\": \"orders\", \"partition\": 3, \"fromOffset\": 10, \"toOffset\": 99,"
                + " \"directory\": \"d\", \"connector\": \"c\", \"incarnation\": \"legacy\"}");
        assertEquals(new RestoreRequest("orders", 3, 10, 99, "d", "c", new IncarnationSelection("legacy")), full);
        RestoreRequest minimal = parse("{\"topic\": \"orders\", \"partition\": 0, \"toOffset\": null}");
        assertEquals(0, minimal.fromOffset());
        assertEquals(-1, minimal.toOffset());
        assertNull(minimal.directory());
        assertEquals(Map.of("topic", "orders", "partition", 0, "fromOffset", 0L, "incarnation", "latest"),
                minimal.describe());
    }

    @Test
    void malformedJsonIs400() {
        refused("{\"topic\": \"orders\", \"partition\": 0", 400, "not valid JSON");
        refused("{\"topic\": orders}", 400, "not valid JSON");
        refused("{\"topic\": \"orders\", \"partition\": 0} trailing", 400, "not valid JSON");
        refused("{\"topic\": \"a\", \"topic\": \"b\", \"partition\": 0}", 400, "topic");
        refused("", 400, "empty");
        refused("[]", 400, "JSON object");
        refused("\"orders\"", 400, "JSON object");
    }

    @Test
    void wrongTypesAndRangesAre400NamingTheField() {
        refused("{\"partition\": 0}", 400, "'topic' is required");
        refused("{\"topic\": [\"orders\"], \"partition\": 0}", 400, "'topic' must be a string");
        refused("{\"topic\": \"no/slash\", \"partition\": 0}", 400, "Invalid topic 'no/slash'");
        refused("{\"topic\": \"..\", \"partition\": 0}", 400, "Invalid topic '..'");
        refused("{\"topic\": \"orders\"}", 400, "'partition' is required");
        refused("{\"topic\": \"orders\", \"partition\": \"1\"}", 400, "'partition' must be a whole number");
        refused("{\"topic\": \"orders\", \"partition\": true}", 400, "'partition'");
        refused("{\"topic\": \"orders\", \"partition\": 1.0}", 400, "'partition'");
        refused("{\"topic\": \"orders\", \"partition\": -2}", 400, "'partition'");
        refused("{\"topic\": \"orders\", \"partition\": 2147483648}", 400, "'partition'");
        refused("{\"topic\": \"orders\", \"partition\": 0, \"fromOffset\": -1}", 400, "'fromOffset'");
        refused("{\"topic\": \"orders\", \"partition\": 0, \"fromOffset\": 9223372036854775808}", 400,
                "'fromOffset'");
        refused("{\"topic\": \"orders\", \"partition\": 0, \"fromOffset\": 1e400}", 400, "'fromOffset'");
        refused("{\"topic\": \"orders\", \"partition\": 0, \"toOffset\": -1}", 400, "'toOffset'");
        refused("{\"topic\": \"orders\", \"partition\": 0, \"fromOffset\": 5, \"toOffset\": 4}", 400,
                "'toOffset' (4) must not be below 'fromOffset' (5)");
        refused("{\"topic\": \"orders\", \"partition\": 0, \"directory\": {}}", 400, "'directory' must be a string");
        refused("{\"topic\": \"orders\", \"partition\": 0, \"connector\": 1}", 400, "'connector' must be a string");
        refused("{\"topic\": \"orders\", \"partition\": 0, \"dir\": \"x\"}", 400, "Unknown field 'dir'");
    }

    @Test
    void aHugeBodyIs413() {
        refused("{\"topic\": \"" + "x".repeat(RestoreRequest.MAX_BODY_BYTES) + "\"}", 413, "larger than");
    }
}
