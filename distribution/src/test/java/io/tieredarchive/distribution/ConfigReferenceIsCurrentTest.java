package io.tieredarchive.distribution;

import io.tieredarchive.config.ConfigReference;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The committed {@code docs/config-reference.md} must be what the connectors' ConfigDefs generate today.
 * Regenerate with {@code mvn -B -pl distribution -am verify -Dconfig.reference.update=true}.
 */
class ConfigReferenceIsCurrentTest {

    /** Every connector's config class, in the order the reference shows them. */
    static final List<String> SECTIONS = List.of(
            "Archive sink=io.tieredarchive.sink.ArchiveSinkConfig",
            "Archive replay source=io.tieredarchive.source.ArchiveReplaySourceConfig",
            "Bucket copy source=io.tieredarchive.source.BucketCopySourceConfig");

    @Test
    void committedReferenceMatchesTheConfigDefs() throws Exception {
        List<ConfigReference.Section> sections = new ArrayList<>();
        for (String spec : SECTIONS) {
            sections.add(ConfigReference.section(spec));
        }
        String generated = ConfigReference.render(sections);
        Path doc = Path.of(System.getProperty("config.reference.file"));
        if (Boolean.getBoolean("config.reference.update")) {
            Files.writeString(doc, generated, StandardCharsets.UTF_8);
        }
        String committed = Files.exists(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : "";
        assertEquals(generated, committed, doc + " is stale: regenerate it with "
                + "'mvn -B -pl distribution -am verify -Dconfig.reference.update=true' and commit the result");
    }
}
