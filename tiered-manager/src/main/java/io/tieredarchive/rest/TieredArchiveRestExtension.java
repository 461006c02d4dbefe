package io.tieredarchive.rest;

import io.tieredarchive.config.ConfigProviders;
import io.tieredarchive.config.VersionInfo;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.rest.ConnectRestExtension;
import org.apache.kafka.connect.rest.ConnectRestExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Adds {@code /tiered-archive/...} to the Connect worker's REST API ({@link TieredArchiveResource}). Enable it
 * with {@code rest.extension.classes=io.tieredarchive.rest.TieredArchiveRestExtension} in the worker's config;
 * the service loader finds it in the plugin ({@code META-INF/services}). The resource is Jakarta JAX-RS, which
 * Connect's REST server speaks from Kafka 4.0 on; on a 3.x worker ({@code javax.ws.rs}) the extension logs at INFO
 * why it is off and registers nothing, and the worker runs on without it (the {@code tiered-archive} CLI does what
 * the endpoints do).
 */
public final class TieredArchiveRestExtension implements ConnectRestExtension {

    private static final Logger log = LoggerFactory.getLogger(TieredArchiveRestExtension.class);
    private TieredArchiveResource resource;
    private ConfigProviders providers = ConfigProviders.none();
    private RestExtensionConfig config = new RestExtensionConfig(Map.of());

    /**
     * Connect passes the worker's config: its {@code tiered.archive.rest.*} keys ({@link RestExtensionConfig}; an
     * invalid one stops the worker, naming it), and its {@code config.providers}, which resolve the placeholders of
     * the connector configs this extension reads, as the worker resolves them for the tasks.
     */
    @Override
    public void configure(Map<String, ?> configs) {
        config = new RestExtensionConfig(configs);
        providers = ConfigProviders.from(configs);
    }

    @Override
    public void register(ConnectRestExtensionContext context) {
        String unusable = jaxRsProblem(ConnectRestExtensionContext.class);
        if (unusable != null) {
            log.info("Tiered Archive REST extension is off: {}; the tiered-archive CLI does what its endpoints do",
                    unusable);
            return;
        }
        resource = new TieredArchiveResource(context.clusterState(), providers, config);
        context.configurable().register(resource);
        log.info("Tiered Archive REST extension registered at /tiered-archive");
    }

    /**
     * Why the worker's REST server cannot take this extension's Jakarta JAX-RS resource, or null when it can: the
     * JAX-RS of the worker's {@code ConnectRestExtensionContext.configurable()}, looked up without calling it.
     */
    static String jaxRsProblem(Class<?> contextType) {
        try {
            Class<?> configurable = contextType.getMethod("configurable").getReturnType();
            if (!configurable.getName().startsWith("jakarta.ws.rs.")) {
                return "this worker's REST server uses " + configurable.getPackageName() + " (Kafka Connect 3.x), "
                        + "the /tiered-archive endpoints need Jakarta JAX-RS (Kafka Connect 4.0 or later)";
            }
            return null;
        } catch (NoSuchMethodException | LinkageError e) {
            return "this worker's REST extension API cannot be inspected (" + e + ")";
        }
    }

    @Override
    public ConfigDef config() {
        return RestExtensionConfig.configDef();
    }

    @Override
    public String version() {
        return VersionInfo.version();
    }

    @Override
    public void close() {
        if (resource != null) {
            resource.close();
        }
        providers.close();
    }
}
