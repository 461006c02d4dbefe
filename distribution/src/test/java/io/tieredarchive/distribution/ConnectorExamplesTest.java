package io.tieredarchive.distribution;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Connector;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Every connector config in {@code examples/connectors/} passes its connector's own {@code validate()}, so the
 * examples a user copies cannot drift from the keys the code accepts. Config-provider placeholders
 * ({@code ${file:...}}) are replaced by a plain value, as the worker would resolve them.
 */
class ConnectorExamplesTest {

    private static final Path EXAMPLES = Path.of(System.getProperty("examples.dir", "../examples/connectors"));

    @Test
    void everyExampleValidates() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            files = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no examples in " + EXAMPLES.toAbsolutePath());
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            Map<String, String> config = read(file);
            Connector connector = (Connector) Class.forName(config.get("connector.class"))
                    .getDeclaredConstructor().newInstance();
            Config result = connector.validate(config);
            for (ConfigValue value : result.configValues()) {
                for (String error : value.errorMessages()) {
                    problems.add(file.getFileName() + ": " + value.name() + ": " + error);
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    private static Map<String, String> read(Path file) throws IOException {
        Map<String, String> raw = new ObjectMapper().readValue(file.toFile(), new TypeReference<>() { });
        Map<String, String> resolved = new HashMap<>();
        raw.forEach((k, v) -> resolved.put(k, v.startsWith("${file:") ? "resolved-by-config-provider" : v));
        return resolved;
    }
}
