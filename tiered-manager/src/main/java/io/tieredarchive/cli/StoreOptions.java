package io.tieredarchive.cli;

import io.tieredarchive.config.RestoreCacheConfig;
import io.tieredarchive.config.ConfigProviders;
import io.tieredarchive.config.S3ConnectionConfig;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where the archive is, for every command: the connector's own keys ({@code s3.*}, {@code local.dir},
 * {@code restore.cache.*}) from a properties file and/or {@code --set}, or a directory used as a bucket.
 * Without static keys the AWS SDK's default credentials chain is used (environment, profile, instance role).
 */
public final class StoreOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Properties file with the connector's keys: s3.bucket, s3.prefix, s3.endpoint, "
                    + "s3.path.style.access, s3.region, credentials, local.dir, ...")
    Path configFile;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "A key, overriding the file.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--bucket-dir", paramLabel = "DIR",
            description = "Read and write the archive in this directory instead of S3 (a directory as a bucket).")
    Path bucketDir;

    private static final String LOCAL_DIR = "local.dir";

    /**
     * The keys from the file, then {@code --set}; config-provider placeholders ({@code ${file:...}}) resolved
     * through the providers that the same keys declare ({@code config.providers}), as a Connect worker would.
     */
    Map<String, String> properties() throws IOException {
        Map<String, String> props = new HashMap<>();
        if (configFile != null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(configFile)) {
                p.load(in);
            }
            p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k).trim()));
        }
        props.putAll(overrides);
        try (ConfigProviders providers = ConfigProviders.from(props)) {
            return providers.resolve(props);
        }
    }

    /** The archive's store; the caller closes it. */
    RemoteSegmentStore openStore() throws IOException {
        Map<String, String> props = properties();
        if (bucketDir != null) {
            return new RemoteSegmentStore(new FileSystemStorageBackend(bucketDir),
                    props.getOrDefault(S3ConnectionConfig.S3_PREFIX_CONFIG, "").replaceAll("^/+|/+$", ""),
                    System::currentTimeMillis);
        }
        return RemoteSegmentStore.create(RemoteSegmentStore.connectionOf(props));
    }

    /** {@code restore.cache.*} keys parsed, for commands that use the cache. */
    AbstractConfig restoreCacheConfig() throws IOException {
        return new AbstractConfig(RestoreCacheConfig.define(new ConfigDef()), properties(), false);
    }

    /** {@code --local-dir}, else the {@code local.dir} key; fails naming both when neither is set. */
    Path localDir(Path option) throws IOException {
        if (option != null) {
            return option;
        }
        String dir = properties().get(LOCAL_DIR);
        if (dir == null || dir.isBlank()) {
            throw new ConfigException(LOCAL_DIR, null, "is needed: pass --local-dir or set local.dir");
        }
        return Path.of(dir);
    }
}
