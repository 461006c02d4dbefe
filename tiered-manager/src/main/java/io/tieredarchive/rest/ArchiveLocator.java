package io.tieredarchive.rest;

import io.tieredarchive.config.ConfigProviders;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.TieringServices;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.health.ConnectClusterState;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Which archive a request reads: the connector named by {@code connector} (its {@code s3.*} keys, placeholders
 * resolved through the worker's config providers); without it, the only tiering service of this worker, else the
 * only connector whose config has {@code s3.bucket}.
 */
final class ArchiveLocator {

    /**
     * An archive: the store of this worker's tiering service ({@code serviceStore}, the service's own), or the
     * S3 connection a connector's config names ({@code connection}).
     */
    record Archive(RemoteSegmentStore serviceStore, S3Connection connection) {
    }

    private final ConnectClusterState cluster;
    private final ConfigProviders providers;

    ArchiveLocator(ConnectClusterState cluster, ConfigProviders providers) {
        this.cluster = cluster;
        this.providers = providers;
    }

    Archive locate(String connector) throws RestException {
        if (connector == null || connector.isBlank()) {
            Map<Path, TieringService> running = TieringServices.running();
            if (running.size() == 1) {
                return new Archive(running.values().iterator().next().store(), null);
            }
            List<String> candidates = cluster.connectors().stream()
                    .filter(c -> configOf(c).containsKey("s3.bucket")).sorted().toList();
            if (candidates.size() != 1) {
                throw RestException.badRequest("Name the connector whose archive to read with ?connector= (or "
                        + "\"connector\"); candidates: " + candidates);
            }
            connector = candidates.get(0);
        }
        Map<String, String> config = connectorConfig(connector);
        try {
            return new Archive(null, RemoteSegmentStore.connectionOf(config));
        } catch (ConfigException e) {
            throw RestException.badRequest("Connector '" + connector + "' has no usable S3 connection: "
                    + e.getMessage());
        }
    }

    /** The config of the connector named {@code connector}, placeholders resolved: 404 unknown, 503 not now. */
    Map<String, String> connectorConfig(String connector) throws RestException {
        if (!cluster.connectors().contains(connector)) {
            throw new RestException(404, "Unknown connector '" + connector + "'");
        }
        Map<String, String> config;
        try {
            config = cluster.connectorConfig(connector);
        } catch (RuntimeException e) {
            throw new RestException(503, "Connect cannot give the config of connector '" + connector
                    + "' now (" + e.getMessage() + "); try again");
        }
        if (config == null || config.isEmpty()) {
            throw new RestException(503, "The config of connector '" + connector + "' is not available on "
                    + "this worker yet; try again");
        }
        return providers.resolve(config);
    }

    /** The config of {@code connector}, placeholders resolved; empty when Connect cannot give it now. */
    private Map<String, String> configOf(String connector) {
        try {
            Map<String, String> config = cluster.connectorConfig(connector);
            return config == null ? Map.of() : providers.resolve(config);
        } catch (RuntimeException e) {
            return Map.of();
        }
    }
}
