package io.tieredarchive.rest;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker keys of the REST extension: defaults, invalid values named, and each key documented. */
class RestExtensionConfigTest {

    @TempDir
    Path tmp;

    @Test
    void withoutKeysRestoreIsOffAndTheBoundsAreTheDefaults() {
        RestExtensionConfig config = new RestExtensionConfig(Map.of("group.id", "a worker key"));
        assertTrue(config.restoreRoot().isEmpty());
        assertEquals(1, config.restoreThreads());
        assertEquals(4, config.restoreQueueSize());
        assertEquals(100, config.restoreJobsRetained());
        assertEquals(Duration.ofHours(1), config.restoreJobsRetention());
        assertEquals(16, config.storesMax());
        assertEquals(Duration.ofMinutes(10), config.storesIdle());
    }

    @Test
    void theRestoreRootIsCreated() {
        Path root = tmp.resolve("a/b");
        RestExtensionConfig config = new RestExtensionConfig(Map.of(RestExtensionConfig.RESTORE_ROOT, root + " "));
        assertEquals(root, config.restoreRoot().orElseThrow().path());
        assertTrue(Files.isDirectory(root));
    }

    @Test
    void anInvalidValueNamesItsKey() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Map<String, String> bad = Map.of(
                RestExtensionConfig.RESTORE_ROOT, "relative/dir",
                RestExtensionConfig.RESTORE_THREADS, "0",
                RestExtensionConfig.RESTORE_QUEUE_SIZE, "many",
                RestExtensionConfig.STORES_IDLE_MS, "10",
                RestExtensionConfig.STORES_MAX, "0");
        bad.forEach((key, value) -> {
            ConfigException e = assertThrows(ConfigException.class, () -> new RestExtensionConfig(Map.of(key, value)));
            assertTrue(e.getMessage().contains(key), e.getMessage());
        });
        ConfigException notADir = assertThrows(ConfigException.class, () -> new RestExtensionConfig(
                Map.of(RestExtensionConfig.RESTORE_ROOT, file.resolve("sub").toString())));
        assertTrue(notADir.getMessage().contains("cannot create it"), notADir.getMessage());
    }

    @Test
    void everyKeyIsDocumentedInOperationsMd() throws Exception {
        String doc = Files.readString(Path.of("../docs/operations.md"), StandardCharsets.UTF_8);
        for (String key : RestExtensionConfig.configDef().names()) {
            assertTrue(doc.contains("`" + key + "`"), key + " is missing from docs/operations.md");
        }
    }
}
