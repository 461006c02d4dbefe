package io.tieredarchive.reliability.config;

import io.tieredarchive.sink.ArchiveSinkConnector;
import io.tieredarchive.source.ArchiveReplaySourceConnector;
import io.tieredarchive.source.BucketCopySourceConnector;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Connector;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every key of the three connectors' {@code ConfigDef}s, walked: for each, a value of the wrong type and the values
 * just outside its range or refused by its validator ({@link BadValueCases}), each fed alone into an otherwise valid
 * config through {@code Connector.validate}. Each must be reported on exactly that key, with a message that names the
 * key (Connect shows the messages without their key when it refuses to create a connector), and on no other key.
 * The cases come from the ConfigDefs, so a key added later is walked too; the only keys without a case are those
 * where any string is valid, listed in {@link #ANY_STRING_VALID} with the reason, and the test fails when that list
 * and the ConfigDefs disagree.
 */
public class ConfigValidationWalkTest {

    /** Keys with no wrong type and no validator: any string is a valid value. Key suffix -> why. */
    static final Map<String, String> ANY_STRING_VALID = Map.ofEntries(
            Map.entry("s3.access.key.id", "an opaque credential; its pairing with the secret is checked separately"),
            Map.entry("s3.secret.access.key", "an opaque credential (PASSWORD); its pairing is checked separately"),
            Map.entry("s3.sse.kms.key.id", "a KMS key id, ARN or alias: KMS checks it"),
            Map.entry("replay.topics", "a list of topic names; a name that is not archived fails with its S3 path"));

    public static Map<String, Supplier<Connector>> connectors() {
        return Map.of("ArchiveSinkConnector", ArchiveSinkConnector::new,
                "ArchiveReplaySourceConnector", ArchiveReplaySourceConnector::new,
                "BucketCopySourceConnector", BucketCopySourceConnector::new);
    }

    /** A valid config of each connector, to which one bad value at a time is added. */
    public static Map<String, String> baseline(String connector) {
        Map<String, String> c = new TreeMap<>();
        switch (connector) {
            case "ArchiveSinkConnector" -> {
                c.put("topics", "orders");
                c.put("s3.bucket", "archive");
                c.put("local.dir", "/var/lib/archive");
                c.put("kafka.bootstrap.servers", "localhost:9092");
            }
            case "ArchiveReplaySourceConnector" -> {
                c.put("s3.bucket", "archive");
                c.put("replay.topics", "orders");
                c.put("kafka.bootstrap.servers", "localhost:9092");
            }
            case "BucketCopySourceConnector" -> {
                c.put("source.s3.bucket", "from");
                c.put("destination.s3.bucket", "to");
                c.put("copy.events.topic", "copy-events");
            }
            default -> throw new IllegalArgumentException(connector);
        }
        return c;
    }

    @Test
    void eachBaselineIsValid() {
        connectors().forEach((name, connector) -> assertEquals(Map.of(), errors(connector.get(), baseline(name)),
                name + " baseline"));
    }

    @Test
    void everyKeyHasABadValueOrIsListedAsAcceptingAnyString() {
        List<String> problems = new ArrayList<>();
        TreeSet<String> listedSeen = new TreeSet<>();
        connectors().forEach((name, connector) -> {
            for (ConfigKey key : connector.get().config().configKeys().values()) {
                String suffix = listedSuffix(key.name);
                if (BadValueCases.anyStringValid(key)) {
                    if (suffix == null) {
                        problems.add(name + ": " + key.name + " (" + key.type + ") accepts any string but is not in "
                                + "ANY_STRING_VALID: add a validator, or list it with the reason");
                    } else {
                        listedSeen.add(suffix);
                    }
                } else if (key.validator != null && !BadValueCases.hasValidatorCase(key)) {
                    problems.add(name + ": " + key.name + " has validator " + key.validator + " but no string of "
                            + "BadValueCases.HOSTILE_STRINGS is refused by it: add one it refuses");
                } else if (suffix != null) {
                    problems.add(name + ": " + key.name + " is in ANY_STRING_VALID but has a type or validator");
                }
            }
        });
        assertEquals(List.of(), problems);
        assertEquals(new TreeSet<>(ANY_STRING_VALID.keySet()), listedSeen, "every listed key exists");
    }

    private static String listedSuffix(String key) {
        return ANY_STRING_VALID.keySet().stream().filter(s -> key.equals(s) || key.endsWith("." + s))
                .findFirst().orElse(null);
    }

    @TestFactory
    List<DynamicNode> everyBadValueIsReportedOnItsKeyNamingIt() {
        List<DynamicNode> nodes = new ArrayList<>();
        connectors().forEach((name, connector) -> {
            List<DynamicTest> tests = new ArrayList<>();
            for (ConfigKey key : new TreeMap<>(connector.get().config().configKeys()).values()) {
                for (BadValueCases.Case bad : BadValueCases.of(key)) {
                    tests.add(DynamicTest.dynamicTest(bad.toString(), () -> assertReportedOnKey(name,
                            connector.get(), bad)));
                }
            }
            nodes.add(DynamicContainer.dynamicContainer(name, tests));
        });
        return nodes;
    }

    @Test
    void theWalkCoversEveryTypedOrValidatedKeyOfAllThreeConnectors() {
        int keys = 0;
        int cases = 0;
        for (Supplier<Connector> connector : connectors().values()) {
            for (ConfigKey key : connector.get().config().configKeys().values()) {
                List<BadValueCases.Case> of = BadValueCases.of(key);
                assertTrue(!of.isEmpty() || BadValueCases.anyStringValid(key), key.name + " has no case");
                keys++;
                cases += of.size();
            }
        }
        assertTrue(keys > 60 && cases > keys, keys + " keys, " + cases + " cases");
    }

    static void assertReportedOnKey(String connectorName, Connector connector, BadValueCases.Case bad) {
        Map<String, String> config = baseline(connectorName);
        config.put(bad.key(), bad.value());
        Map<String, List<String>> errors = errors(connector, config);
        List<String> onKey = errors.getOrDefault(bad.key(), List.of());
        assertFalse(onKey.isEmpty(), connectorName + ": " + bad + " was accepted; errors elsewhere: " + errors);
        for (String message : onKey) {
            assertTrue(message.contains(bad.key()), connectorName + ": the message for " + bad
                    + " does not name the key: " + message);
        }
        assertEquals(List.of(bad.key()), new ArrayList<>(errors.keySet()),
                connectorName + ": " + bad + " is reported on other keys too: " + errors);
    }

    /** Error messages by key, only keys that have some. */
    static Map<String, List<String>> errors(Connector connector, Map<String, String> config) {
        return connector.validate(config).configValues().stream()
                .filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages, (a, b) -> a, TreeMap::new));
    }
}
