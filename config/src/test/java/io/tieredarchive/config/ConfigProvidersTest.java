package io.tieredarchive.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigProvidersTest {

    private static final String FILE_PROVIDER = "org.apache.kafka.common.config.provider.FileConfigProvider";

    @TempDir
    Path tmp;

    @Test
    void resolvesPlaceholdersOfTheDeclaredProvidersAndLeavesTheRest() throws Exception {
        Path secrets = Files.writeString(tmp.resolve("s3.properties"), "secret=s3cr3t\n");
        Map<String, Object> worker = Map.of("config.providers", "file, env2",
                "config.providers.file.class", FILE_PROVIDER);
        Map<String, String> connector = new HashMap<>(Map.of("s3.bucket", "archive",
                "s3.secret.access.key", "${file:" + secrets + ":secret}",
                "s3.access.key.id", "${vault:kv/s3:id}",
                "s3.region", "${file:" + secrets + ":missing}"));
        try (ConfigProviders providers = ConfigProviders.from(worker)) {
            Map<String, String> resolved = providers.resolve(connector);
            assertEquals("s3cr3t", resolved.get("s3.secret.access.key"));
            assertEquals("archive", resolved.get("s3.bucket"));
            assertEquals("${vault:kv/s3:id}", resolved.get("s3.access.key.id"), "an undeclared provider");
            assertEquals("${file:" + secrets + ":missing}", resolved.get("s3.region"), "a key the file lacks");
            assertEquals("${file:" + secrets + ":secret}", connector.get("s3.secret.access.key"),
                    "the input is not changed");
        }
    }

    @Test
    void withoutTheListEveryProviderWithAClassCounts() throws Exception {
        // What Connect 4.3 passes a REST extension: the worker config without the config.providers key itself.
        Path secrets = Files.writeString(tmp.resolve("s3.properties"), "secret=s3cr3t\n");
        Map<String, Object> worker = Map.of("config.providers.file.class", FILE_PROVIDER,
                "config.providers.file.param.allowed.paths", tmp.toString(), "bootstrap.servers", "localhost:9092");
        try (ConfigProviders providers = ConfigProviders.from(worker)) {
            assertEquals("s3cr3t", providers.resolve(Map.of("k", "${file:" + secrets + ":secret}")).get("k"));
        }
    }

    @Test
    void passesTheProviderParams() throws Exception {
        Path allowed = Files.createDirectories(tmp.resolve("allowed"));
        Path inside = Files.writeString(allowed.resolve("a.properties"), "k=inside\n");
        Path outside = Files.writeString(tmp.resolve("b.properties"), "k=outside\n");
        Map<String, Object> worker = Map.of("config.providers", "file", "config.providers.file.class",
                FILE_PROVIDER, "config.providers.file.param.allowed.paths", allowed.toString());
        try (ConfigProviders providers = ConfigProviders.from(worker)) {
            Map<String, String> resolved = providers.resolve(Map.of("a", "${file:" + inside + ":k}",
                    "b", "${file:" + outside + ":k}"));
            assertEquals("inside", resolved.get("a"));
            assertEquals("${file:" + outside + ":k}", resolved.get("b"), "allowed.paths reached the provider");
        }
    }

    @Test
    void aProviderThatCannotBeLoadedIsLeftOutAndTheOthersWork() throws Exception {
        Path secrets = Files.writeString(tmp.resolve("s.properties"), "k=v\n");
        Map<String, Object> worker = Map.of("config.providers", "bad,unset,file",
                "config.providers.bad.class", "com.example.NoSuchProvider",
                "config.providers.file.class", FILE_PROVIDER);
        try (ConfigProviders providers = ConfigProviders.from(worker)) {
            assertEquals("v", providers.resolve(Map.of("x", "${file:" + secrets + ":k}")).get("x"));
            assertEquals("${bad:p:k}", providers.resolve(Map.of("x", "${bad:p:k}")).get("x"));
        }
    }

    @Test
    void withoutProvidersTheConfigComesBackAsItIs() {
        Map<String, String> config = Map.of("s3.secret.access.key", "${file:/x:secret}");
        try (ConfigProviders providers = ConfigProviders.from(Map.of("bootstrap.servers", "localhost:9092"))) {
            assertTrue(providers.isEmpty());
            assertSame(config, providers.resolve(config));
        }
    }
}
