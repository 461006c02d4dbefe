package io.tieredarchive.config;

import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigReferenceTest {

    /** Stands in for a connector's config class; the generator finds configDef() by reflection. */
    public static final class SampleConfig {
        public static ConfigDef configDef() {
            return LocalTierConfig.define(S3ConnectionConfig.define(new ConfigDef(), ""));
        }
    }

    @Test
    void rendersEveryKeyGroupedWithRequiredAndSecretsMarked() throws Exception {
        String md = ConfigReference.render(List.of(ConfigReference.section("Sample=" + SampleConfig.class.getName())));
        assertTrue(md.contains("## Sample"), md);
        assertTrue(md.contains("### S3"), md);
        assertTrue(md.contains("### Local tier"), md);
        for (String key : SampleConfig.configDef().names()) {
            assertTrue(md.contains("| `" + key + "` |"), "missing " + key);
        }
        assertTrue(md.contains("| `s3.bucket` | string | **required** |"), md);
        assertTrue(md.contains("| `s3.secret.access.key` | password | unset |"), md);
        assertFalse(md.contains("\n\n\n"), "no stray blank lines");
    }
}
