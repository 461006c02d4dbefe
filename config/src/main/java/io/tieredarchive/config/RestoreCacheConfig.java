package io.tieredarchive.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

import java.nio.file.Path;
import java.util.Optional;

/** Restore cache keys: where segments read back from S3 are kept on local disk, and how much of them. */
public final class RestoreCacheConfig {

    public static final String GROUP = "Restore cache";

    public static final String RESTORE_CACHE_DIR_CONFIG = "restore.cache.dir";
    private static final String RESTORE_CACHE_DIR_DOC = "Directory on the worker's disk where whole segments read "
            + "back from S3 are kept, so reading them again costs no request. Empty: no cache; segments are read "
            + "from S3 with ranged GETs each time.";
    private static final String RESTORE_CACHE_DIR_DEFAULT = "";

    public static final String RESTORE_CACHE_BYTES_CONFIG = "restore.cache.bytes";
    private static final String RESTORE_CACHE_BYTES_DOC = "Most bytes the restore cache holds; the least recently "
            + "used segments are deleted first. A segment larger than this is never cached.";
    public static final long RESTORE_CACHE_BYTES_DEFAULT = 1024L * 1024 * 1024;

    private RestoreCacheConfig() {
    }

    public static ConfigDef define(ConfigDef def) {
        def.define(RESTORE_CACHE_DIR_CONFIG, Type.STRING, RESTORE_CACHE_DIR_DEFAULT,
                ConfigValidators.nullOr(emptyOrPath()), Importance.MEDIUM, RESTORE_CACHE_DIR_DOC, GROUP, 1,
                Width.LONG, "Restore cache directory");
        def.define(RESTORE_CACHE_BYTES_CONFIG, Type.LONG, RESTORE_CACHE_BYTES_DEFAULT, Range.atLeast(0L),
                Importance.MEDIUM, RESTORE_CACHE_BYTES_DOC, GROUP, 2, Width.SHORT, "Restore cache size");
        return def;
    }

    /** The cache directory, or empty when the cache is off (no directory, or a size of 0). */
    public static Optional<Path> dir(AbstractConfig config) {
        String dir = config.getString(RESTORE_CACHE_DIR_CONFIG);
        if (dir == null || dir.isBlank() || config.getLong(RESTORE_CACHE_BYTES_CONFIG) == 0) {
            return Optional.empty();
        }
        return Optional.of(Path.of(dir.trim()));
    }

    public static long bytes(AbstractConfig config) {
        return config.getLong(RESTORE_CACHE_BYTES_CONFIG);
    }

    private static ConfigDef.Validator emptyOrPath() {
        ConfigDef.Validator path = ConfigValidators.path();
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value != null && !((String) value).isBlank()) {
                    path.ensureValid(name, value);
                }
            }

            @Override
            public String toString() {
                return "empty, or " + path;
            }
        };
    }
}
