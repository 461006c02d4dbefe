package io.tieredarchive.config;

import org.apache.kafka.common.config.ConfigTransformer;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Resolves config-provider placeholders ({@code ${provider:path:key}}) the way a Connect worker resolves them
 * for its tasks, from the {@code config.providers} keys of a worker config (the REST extension gets the worker's
 * in {@code configure}) or of the CLI's properties:
 * <pre>
 * config.providers=file
 * config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
 * config.providers.file.param.allowed.paths=/etc/kafka-connect   (optional, passed to the provider)
 * </pre>
 * A placeholder whose provider is not configured, or whose value the provider does not have, stays as written.
 * A provider whose class cannot be loaded or configured is left out with a WARN naming it: a worker must start
 * all the same. Resolved values are never logged.
 */
public final class ConfigProviders implements AutoCloseable {

    public static final String PROVIDERS = "config.providers";

    private static final Logger log = LoggerFactory.getLogger(ConfigProviders.class);

    private final Map<String, ConfigProvider> providers;
    private final ConfigTransformer transformer;

    private ConfigProviders(Map<String, ConfigProvider> providers) {
        this.providers = providers;
        this.transformer = new ConfigTransformer(providers);
    }

    /** No providers: {@link #resolve} returns its input unchanged. */
    public static ConfigProviders none() {
        return new ConfigProviders(Map.of());
    }

    /**
     * The providers that {@code config}'s {@code config.providers} keys declare, each configured with its params.
     * When {@code config.providers} itself is absent, every {@code config.providers.<name>.class} counts: the
     * worker config that Connect passes to a REST extension has lost that one key (Kafka 4.3) but kept the rest.
     */
    public static ConfigProviders from(Map<String, ?> config) {
        Map<String, ConfigProvider> providers = new LinkedHashMap<>();
        for (String provider : names(config)) {
            String classKey = PROVIDERS + "." + provider + ".class";
            Object className = config.get(classKey);
            if (className == null || className.toString().isBlank()) {
                log.warn("Config provider '{}' is listed in {} but {} is not set; its placeholders stay "
                        + "unresolved", provider, PROVIDERS, classKey);
                continue;
            }
            try {
                ConfigProvider instance = PluginInstances.newInstance(className.toString().trim(),
                        ConfigProvider.class);
                instance.configure(params(config, PROVIDERS + "." + provider + ".param."));
                providers.put(provider, instance);
            } catch (ClassNotFoundException | RuntimeException e) {
                log.warn("Config provider '{}' ({}={}) cannot be used here: {}; its placeholders stay unresolved",
                        provider, classKey, className, e.toString());
            }
        }
        if (!providers.isEmpty()) {
            log.info("Config-provider placeholders are resolved through: {}", providers.keySet());
        }
        return new ConfigProviders(providers);
    }

    /** {@code config} with every placeholder of a configured provider replaced by its value. */
    public Map<String, String> resolve(Map<String, String> config) {
        if (providers.isEmpty()) {
            return config;
        }
        Map<String, String> resolved = new HashMap<>(config);
        resolved.putAll(transformer.transform(config).data());
        return resolved;
    }

    public boolean isEmpty() {
        return providers.isEmpty();
    }

    @Override
    public void close() {
        for (Map.Entry<String, ConfigProvider> e : providers.entrySet()) {
            try {
                e.getValue().close();
            } catch (Exception ex) {
                log.warn("Cannot close config provider '{}': {}", e.getKey(), ex.toString());
            }
        }
    }

    private static Set<String> names(Map<String, ?> config) {
        Set<String> names = new TreeSet<>();
        Object listed = config.get(PROVIDERS);
        if (listed != null && !listed.toString().isBlank()) {
            for (String name : listed.toString().split(",")) {
                if (!name.isBlank()) {
                    names.add(name.trim());
                }
            }
            return names;
        }
        for (String key : config.keySet()) {
            if (key.startsWith(PROVIDERS + ".") && key.endsWith(".class")) {
                String name = key.substring(PROVIDERS.length() + 1, key.length() - ".class".length());
                if (!name.isEmpty() && !name.contains(".")) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static Map<String, String> params(Map<String, ?> config, String prefix) {
        Map<String, String> params = new HashMap<>();
        config.forEach((k, v) -> {
            if (k.startsWith(prefix) && v != null) {
                params.put(k.substring(prefix.length()), v.toString());
            }
        });
        return params;
    }
}
