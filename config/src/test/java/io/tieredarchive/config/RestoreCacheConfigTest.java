package io.tieredarchive.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestoreCacheConfigTest {

    private static AbstractConfig parse(Map<String, String> props) {
        return new AbstractConfig(RestoreCacheConfig.define(new ConfigDef()), props);
    }

    @Test
    void noDirectoryMeansNoCache() {
        AbstractConfig config = parse(Map.of());
        assertEquals(Optional.empty(), RestoreCacheConfig.dir(config));
        assertEquals(RestoreCacheConfig.RESTORE_CACHE_BYTES_DEFAULT, RestoreCacheConfig.bytes(config));
    }

    @Test
    void aDirectoryAndASize() {
        AbstractConfig config = parse(Map.of("restore.cache.dir", " /var/cache/ta ", "restore.cache.bytes", "1000"));
        assertEquals(Optional.of(Path.of("/var/cache/ta")), RestoreCacheConfig.dir(config));
        assertEquals(1000, RestoreCacheConfig.bytes(config));
        assertEquals(Optional.empty(), RestoreCacheConfig.dir(parse(Map.of("restore.cache.dir", "/x",
                "restore.cache.bytes", "0"))), "a size of 0 turns the cache off");
    }

    @Test
    void badValuesNameTheirKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(Map.of("restore.cache.bytes", "-1")));
        assertTrue(e.getMessage().contains("restore.cache.bytes"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> parse(Map.of("restore.cache.dir", "a\u0000b")));
        assertTrue(e.getMessage().contains("restore.cache.dir"), e.getMessage());
    }
}
