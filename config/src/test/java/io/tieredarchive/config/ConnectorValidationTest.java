package io.tieredarchive.config;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectorValidationTest {

    private static final ConfigDef DEF = new ConfigDef()
            .define("low", Type.INT, 0, Range.atLeast(0), Importance.HIGH, "a lower bound")
            .define("high", Type.INT, 10, Range.atLeast(0), Importance.HIGH, "an upper bound");

    /** Error messages by key, only keys that have some. */
    private static Map<String, List<String>> errors(Config config) {
        Map<String, List<String>> errors = new TreeMap<>();
        for (ConfigValue v : config.configValues()) {
            if (!v.errorMessages().isEmpty()) {
                errors.put(v.name(), v.errorMessages());
            }
        }
        return errors;
    }

    @Test
    void aCrossFieldErrorIsAttachedToTheKeyItNamesInKafkasForm() {
        Config config = ConnectorValidation.validate(DEF, Map.of("low", "5", "high", "3"), keys -> {
            Map<String, Object> values = keys.validValues();
            return (Integer) values.get("high") < (Integer) values.get("low")
                    ? Map.of("high", "must be at least low (5)") : Map.of();
        });
        assertEquals(Map.of("high", List.of("Invalid configuration high: must be at least low (5)")), errors(config));
    }

    @Test
    void theCheckSeesTheValidKeysAndWhetherAllAre() {
        List<Object> seen = new ArrayList<>();
        Config config = ConnectorValidation.validate(DEF, Map.of("low", "-1", "high", "3"), keys -> {
            seen.add(keys.allValid());
            seen.add(new TreeMap<>(keys.validValues()));
            seen.add(keys.props().get("low"));
            return Map.of();
        });
        assertEquals(List.of(false, new TreeMap<>(Map.of("high", 3)), "-1"), seen);
        assertEquals(List.of("low"), List.copyOf(errors(config).keySet()), "only the per-key error");
    }

    @Test
    void anErrorOnAKeyTheDefDoesNotHaveStillReachesTheResult() {
        Config config = ConnectorValidation.validate(DEF, Map.of(), keys -> Map.of("other.key", "is needed here"));
        assertEquals(Map.of("other.key", List.of("Invalid configuration other.key: is needed here")), errors(config));
        assertEquals(3, config.configValues().size(), "the def's two keys and the one the check named");
    }

    @Test
    void throwFirstNamesTheFirstKeyAndItsValue() {
        Map<String, String> errors = new LinkedHashMap<>();
        ConnectorValidation.throwFirst(errors, Map.of());
        errors.put("high", "must be at least low");
        errors.put("low", "another problem");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConnectorValidation.throwFirst(errors, Map.of("high", "3")));
        assertTrue(e.getMessage().contains("high") && e.getMessage().contains("3")
                && e.getMessage().contains("must be at least low"), e.getMessage());
        assertFalse(e.getMessage().contains("another problem"), e.getMessage());
    }
}
