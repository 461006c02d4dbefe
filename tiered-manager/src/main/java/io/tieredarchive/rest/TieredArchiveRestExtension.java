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
 * the service loader finds it in the plugin ({@code META-INF/services}).
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
        resource = new TieredArchiveResource(context.clusterState(), providers, config);
        context.configurable().register(resource);
        log.info("Tiered Archive REST extension registered at /tiered-archive");
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
