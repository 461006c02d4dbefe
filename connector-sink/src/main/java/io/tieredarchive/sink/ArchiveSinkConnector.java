package io.tieredarchive.sink;

import io.tieredarchive.config.ConnectorValidation;
import io.tieredarchive.config.LocalTierConfig;
import io.tieredarchive.config.S3ConnectionConfig;
import io.tieredarchive.config.VersionInfo;
import io.tieredarchive.tier.LocalDirOwner;
import io.tieredarchive.tier.remote.RemoteSegmentStore;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Archives topics into compressed, indexed Kafka-format segments under {@code local.dir}, exactly once. The
 * connector validates the config and hands it to its tasks ({@link ArchiveSinkTask} archives the records); it also
 * snapshots what a restore needs besides the records, once per connector ({@link RestoreSnapshotter}: consumer
 * group offsets, topic configs).
 */
public class ArchiveSinkConnector extends SinkConnector {

    private static final Logger log = LoggerFactory.getLogger(ArchiveSinkConnector.class);

    private Map<String, String> props;
    private RestoreSnapshotter snapshotter;

    @Override
    public String version() {
        return VersionInfo.version();
    }

    @Override
    public void start(Map<String, String> props) {
        ArchiveSinkConfig config = new ArchiveSinkConfig(props); // fails fast on a bad config
        this.props = Map.copyOf(props);
        log.info("Starting archive sink {} into {} (segments of {} bytes or {} ms, {} batches of {} bytes)",
                config.connectorName(), config.localDir(), config.segmentBytes(), config.segmentMs(),
                config.compressionType(), config.batchBytes());
        RestoreSnapshotter.Settings snapshots = config.snapshotSettings();
        if (snapshots.any()) {
            snapshotter = new RestoreSnapshotter(snapshots, () -> Admin.create(config.adminConfig()),
                    () -> RemoteSegmentStore.create(S3ConnectionConfig.parse(config, "")), System::currentTimeMillis);
            snapshotter.start();
        }
    }

    @Override
    public Class<? extends Task> taskClass() {
        return ArchiveSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> taskProps = new HashMap<>(props);
            taskProps.put(ArchiveSinkConfig.TASK_INDEX, Integer.toString(i));
            configs.add(taskProps);
        }
        return configs;
    }

    @Override
    public void stop() {
        if (snapshotter != null) {
            snapshotter.close();
            snapshotter = null;
        }
        log.info("Stopped archive sink {}", props == null ? "" : props.get("name"));
    }

    @Override
    public ConfigDef config() {
        return ArchiveSinkConfig.configDef();
    }

    /**
     * Per-key validation, then the checks between keys ({@link ArchiveSinkConfig#crossFieldErrors}), each reported
     * on the key to fix; then whether this worker's {@code local.dir} is free for this connector.
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = ConnectorValidation.validate(config(), connectorConfigs, ArchiveSinkConfig::crossFieldErrors);
        checkLocalDirOwner(config, connectorConfigs);
        return config;
    }

    /**
     * On a worker that has the {@code local.dir} already: refuses it when another connector owns it and archives
     * elsewhere ({@link LocalDirOwner}). The tasks check again when they start, on their own worker.
     */
    private static void checkLocalDirOwner(Config config, Map<String, String> props) {
        ConfigValue localDir = config.configValues().stream()
                .filter(v -> v.name().equals(LocalTierConfig.LOCAL_DIR_CONFIG)).findFirst().orElse(null);
        boolean s3Errors = config.configValues().stream()
                .anyMatch(v -> v.name().startsWith("s3.") && !v.errorMessages().isEmpty());
        if (localDir == null || !localDir.errorMessages().isEmpty() || localDir.value() == null || s3Errors) {
            return;
        }
        try {
            String destination = RemoteSegmentStore.connectionOf(props).destination();
            String name = props.getOrDefault("name", "archive-sink");
            LocalDirOwner.conflict(Path.of(localDir.value().toString().trim()), name, destination,
                            System.currentTimeMillis())
                    .ifPresent(localDir::addErrorMessage);
        } catch (RuntimeException e) {
            log.debug("Cannot check the owner of local.dir: {}", e.toString());
        }
    }
}
