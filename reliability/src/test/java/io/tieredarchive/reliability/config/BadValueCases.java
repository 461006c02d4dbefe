package io.tieredarchive.reliability.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bad values for one config key, generated from its {@link ConfigKey}: a value of the wrong type (for every type
 * that has one), the values just outside a {@link ConfigDef.Range}, and, for any other validator, the first value
 * of a catalogue of hostile strings that the validator itself rejects. A key whose validator accepts every string
 * of the catalogue yields no validator case; {@link ConfigValidationWalkTest} then fails and names it, so a new
 * validator gets a bad value here instead of going untested.
 */
public final class BadValueCases {

    /** Strings that some validator of this project refuses: empty, malformed URL, regex, time, path, prefix, codec. */
    static final List<String> HOSTILE_STRINGS = List.of("", " ", "not-one-of-the-allowed-values", "ftp://host/x",
            "http://", "://no-scheme", "([unclosed", "*", "yesterday at noon", "2026-13-45T99:99:99Z",
            "/leading/slash", "trailing/", "a//b", "../escape", "a/../../b", "bad\u0000nul", "-1", "0",
            "${nosuchplaceholder}", "x".repeat(1025));

    private static final Pattern RANGE = Pattern.compile("\\[(?:(-?\\d+),)?\\.\\.\\.(?:,(-?\\d+))?]");

    private BadValueCases() {
    }

    /** One bad value for a key and what makes it bad. */
    public record Case(String key, String value, String why) {
        @Override
        public String toString() {
            String shown = value.length() > 40 ? value.substring(0, 40) + "...(" + value.length() + " chars)" : value;
            return key + " = '" + shown + "' (" + why + ")";
        }
    }

    /** The wrong-type value of a type, or empty when every string parses as that type. */
    static Optional<String> wrongType(Type type) {
        return switch (type) {
            case INT, LONG, SHORT -> Optional.of("twelve");
            case DOUBLE -> Optional.of("1.5.7");
            case BOOLEAN -> Optional.of("maybe");
            case CLASS -> Optional.of("no.such.package.NoSuchClass");
            case STRING, PASSWORD, LIST -> Optional.empty();
        };
    }

    /** The bad values of {@code key}: wrong type, out of range, refused by its validator. */
    public static List<Case> of(ConfigKey key) {
        List<Case> cases = new ArrayList<>();
        wrongType(key.type).ifPresent(v -> cases.add(new Case(key.name, v, "wrong type, expected " + key.type)));
        if (key.validator == null) {
            return cases;
        }
        Matcher range = RANGE.matcher(key.validator.toString());
        if (key.validator instanceof ConfigDef.Range && range.matches()) {
            if (range.group(1) != null) {
                outside(key, Long.parseLong(range.group(1)) - 1).ifPresent(v ->
                        cases.add(new Case(key.name, v, "below the range " + key.validator)));
            }
            if (range.group(2) != null) {
                outside(key, Long.parseLong(range.group(2)) + 1).ifPresent(v ->
                        cases.add(new Case(key.name, v, "above the range " + key.validator)));
            }
            return cases;
        }
        firstRejected(key).ifPresent(v -> cases.add(new Case(key.name, v, "refused by " + key.validator)));
        return cases;
    }

    /** Whether {@link #of} finds a value the key's validator refuses (false for a key without validator). */
    static boolean hasValidatorCase(ConfigKey key) {
        return of(key).stream().anyMatch(c -> !c.why().startsWith("wrong type"));
    }

    /** A number just outside a range, when the key's type can still hold it (else it would be a wrong type). */
    private static Optional<String> outside(ConfigKey key, long value) {
        boolean fits = switch (key.type) {
            case INT -> value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
            case SHORT -> value >= Short.MIN_VALUE && value <= Short.MAX_VALUE;
            default -> true;
        };
        return fits ? Optional.of(Long.toString(value)) : Optional.empty();
    }

    private static Optional<String> firstRejected(ConfigKey key) {
        for (String candidate : HOSTILE_STRINGS) {
            Object parsed;
            try {
                parsed = ConfigDef.parseType(key.name, candidate, key.type);
            } catch (ConfigException wrongType) {
                continue; // that is the wrong-type case, not the validator's
            }
            try {
                key.validator.ensureValid(key.name, parsed);
            } catch (ConfigException refused) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Keys whose value only needs to parse (no validator), so every string of their type is valid. */
    static boolean anyStringValid(ConfigKey key) {
        return key.validator == null && wrongType(key.type).isEmpty();
    }

    static Map<String, ConfigKey> keys(ConfigDef def) {
        return def.configKeys();
    }
}
