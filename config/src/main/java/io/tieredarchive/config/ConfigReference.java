package io.tieredarchive.config;

import org.apache.kafka.common.config.ConfigDef;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code docs/config-reference.md} from the connectors' own {@link ConfigDef}s, so the reference cannot
 * drift from the code. The connector config classes are named on the command line and found by reflection
 * (each has a {@code static ConfigDef configDef()}), which keeps this module free of the connector modules.
 *
 * <pre>java io.tieredarchive.config.ConfigReference OUTPUT "Title=com.example.XConfig" ...</pre>
 */
public final class ConfigReference {

    /** One section of the reference: a connector's title, what it is, and its keys. */
    public record Section(String title, String className, ConfigDef def) {
    }

    private ConfigReference() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ConfigReference OUTPUT 'Title=fully.qualified.ConfigClass' ...");
            System.exit(2);
        }
        List<Section> sections = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            sections.add(section(args[i]));
        }
        Path out = Path.of(args[0]);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, render(sections), StandardCharsets.UTF_8);
    }

    /** Parses "Title=fully.qualified.ConfigClass" and calls the class's static {@code configDef()}. */
    public static Section section(String spec) throws ReflectiveOperationException {
        int eq = spec.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("Expected 'Title=class', got: " + spec);
        }
        String className = spec.substring(eq + 1);
        Method m = Class.forName(className).getMethod("configDef");
        return new Section(spec.substring(0, eq), className, (ConfigDef) m.invoke(null));
    }

    /** The whole Markdown document. */
    public static String render(List<Section> sections) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Configuration reference\n\n");
        sb.append("Generated from the connectors' `ConfigDef`s by `io.tieredarchive.config.ConfigReference`; "
                + "do not edit by hand. `mvn -B verify` fails when this file is stale; "
                + "regenerate it with `mvn -B -pl distribution -am verify -Dconfig.reference.update=true`.\n\n");
        sb.append("Keys of Connect itself (`name`, `connector.class`, `tasks.max`, `topics`, `errors.*`, converters) "
                + "are documented by Kafka Connect and not repeated here.\n\n");
        for (Section section : sections) {
            sb.append("## ").append(section.title()).append("\n\n");
            sb.append("`connector.class`: `").append(section.className().replace("Config", "Connector"))
                    .append("`\n\n");
            for (Map.Entry<String, List<ConfigDef.ConfigKey>> group : byGroup(section.def()).entrySet()) {
                sb.append("### ").append(group.getKey()).append("\n\n");
                sb.append("| Key | Type | Default | Valid values | Importance | Description |\n");
                sb.append("|---|---|---|---|---|---|\n");
                for (ConfigDef.ConfigKey key : group.getValue()) {
                    sb.append("| `").append(key.name).append("` | ")
                            .append(key.type.name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
                            .append(defaultValue(key)).append(" | ")
                            .append(key.validator == null ? "" : cell(key.validator.toString())).append(" | ")
                            .append(key.importance.name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
                            .append(cell(key.documentation)).append(" |\n");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static Map<String, List<ConfigDef.ConfigKey>> byGroup(ConfigDef def) {
        Map<String, List<ConfigDef.ConfigKey>> groups = new LinkedHashMap<>();
        for (String group : def.groups()) {
            groups.put(group, new ArrayList<>());
        }
        for (ConfigDef.ConfigKey key : def.configKeys().values()) {
            groups.computeIfAbsent(key.group == null ? "Other" : key.group, g -> new ArrayList<>()).add(key);
        }
        groups.values().forEach(keys -> keys.sort((a, b) -> Integer.compare(a.orderInGroup, b.orderInGroup)));
        groups.values().removeIf(List::isEmpty);
        return groups;
    }

    private static String defaultValue(ConfigDef.ConfigKey key) {
        if (!key.hasDefault()) {
            return "**required**";
        }
        if (key.defaultValue == null) {
            return "unset";
        }
        String s = ConfigDef.convertToString(key.defaultValue, key.type);
        return s == null || s.isEmpty() ? "\"\"" : "`" + cell(s) + "`";
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }

    /** Writes the reference to {@code out}; used by the build and by the staleness test. */
    public static void write(Path out, List<Section> sections) throws IOException {
        Files.writeString(out, render(sections), StandardCharsets.UTF_8);
    }
}
