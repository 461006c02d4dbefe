package io.tieredarchive.config;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigValidatorsTest {

    @Test
    void regex() {
        assertDoesNotThrow(() -> ConfigValidators.regexOrEmpty().ensureValid("copy.include.regex", ""));
        assertDoesNotThrow(() -> ConfigValidators.regexOrEmpty().ensureValid("copy.include.regex", "logs/.*\\.gz"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigValidators.regexOrEmpty().ensureValid("copy.include.regex", "([a-z"));
        assertTrue(e.getMessage().contains("copy.include.regex"), e.getMessage());
    }

    @Test
    void instants() {
        assertEquals(1_700_000_000_000L, ConfigValidators.parseInstantMillis("1700000000000"));
        assertEquals(1_700_000_000_000L, ConfigValidators.parseInstantMillis("2023-11-14T22:13:20Z"));
        assertDoesNotThrow(() -> ConfigValidators.instantOrEmpty().ensureValid("replay.start.time", ""));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigValidators.instantOrEmpty().ensureValid("replay.start.time", "yesterday"));
        assertTrue(e.getMessage().contains("replay.start.time"), e.getMessage());
    }

    @Test
    void nullOrAcceptsUnsetAndDelegatesOtherwise() {
        var v = ConfigValidators.nullOr(ConfigValidators.httpUrlOrEmpty());
        assertDoesNotThrow(() -> v.ensureValid("destination.s3.endpoint", null));
        assertThrows(ConfigException.class, () -> v.ensureValid("destination.s3.endpoint", "gopher://x"));
    }
}
