package io.tieredarchive.config;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * The one way every connector's {@code validate()} works: each key by its own {@code ConfigDef} entry (type,
 * validator, required), then the connector's checks between keys, each returning its errors as key -> reason.
 * Every such error is attached to the key it names, in the same "Invalid configuration KEY: reason" form, so that
 * Connect's {@code PUT /connector-plugins/.../config/validate} shows it on that key and a create names it.
 */
public final class ConnectorValidation {

    /** What a check between keys sees: the config as posted, and the result of each key's own validation. */
    public static final class Keys {
        private final Map<String, String> props;
        private final Map<String, ConfigValue> results;

        private Keys(Map<String, String> props, Map<String, ConfigValue> results) {
            this.props = props;
            this.results = results;
        }

        /** The config as posted. */
        public Map<String, String> props() {
            return props;
        }

        /** The parsed values of the keys that passed their own validation (an unset key maps to its default). */
        public Map<String, Object> validValues() {
            Map<String, Object> values = new HashMap<>();
            results.values().stream().filter(v -> v.errorMessages().isEmpty())
                    .forEach(v -> values.put(v.name(), v.value()));
            return values;
        }

        /** True when every key passed its own validation. */
        public boolean allValid() {
            return results.values().stream().allMatch(v -> v.errorMessages().isEmpty());
        }
    }

    /** A check between keys: key -> reason, each on the key to fix; empty when the keys agree. */
    @FunctionalInterface
    public interface CrossFieldCheck {
        Map<String, String> crossFieldErrors(Keys keys);
    }

    private ConnectorValidation() {
    }

    /**
     * Validates {@code props} against {@code def} key by key, then makes the connector's checks between keys,
     * attaching each error to the key it names.
     */
    public static Config validate(ConfigDef def, Map<String, String> props, CrossFieldCheck check) {
        Map<String, ConfigValue> results = def.validateAll(props);
        check.crossFieldErrors(new Keys(props, results)).forEach((key, reason) -> addError(results, key, reason));
        return new Config(new ArrayList<>(results.values()));
    }

    /**
     * For a connector's {@code start()}: throws the first of {@code errors} as the {@link ConfigException} of its
     * key, as Connect would have reported it on validation.
     */
    public static void throwFirst(Map<String, String> errors, Map<String, String> props) {
        if (!errors.isEmpty()) {
            Map.Entry<String, String> first = errors.entrySet().iterator().next();
            throw new ConfigException(first.getKey(), props.get(first.getKey()), first.getValue());
        }
    }

    /** Records {@code reason} against {@code key}, in the form Kafka's own validators use. */
    private static void addError(Map<String, ConfigValue> results, String key, String reason) {
        ConfigValue value = results.computeIfAbsent(key, ConfigValue::new);
        value.addErrorMessage("Invalid configuration " + key + ": " + reason);
    }
}
