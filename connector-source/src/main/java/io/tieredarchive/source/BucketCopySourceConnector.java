package io.tieredarchive.source;

import io.tieredarchive.config.ConnectorValidation;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies the objects under one S3 prefix to another bucket and prefix, server-side where the store allows it,
 * resumably: each task remembers the key below which everything it owns is copied. {@code tasks.max} tasks split
 * the keys by hash, so the work spreads over the Connect workers.
 *
 * <p>A task's events and the resume point after them ({@code {"after": key}}) are committed in one producer
 * transaction per poll (KIP-618), so with exactly-once workers no event repeats after a crash. The copies themselves
 * are S3 writes outside the transaction: an object in flight at a crash is copied again, with the same bytes.
 */
public class BucketCopySourceConnector extends TransactionalSourceConnector {

    private static final Logger log = LoggerFactory.getLogger(BucketCopySourceConnector.class);

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        BucketCopySourceConfig config = new BucketCopySourceConfig(props);
        ConnectorValidation.throwFirst(config.crossFieldErrors(), props);
        this.props = Map.copyOf(props);
        log.info("Bucket copy from s3://{}/{} to s3://{}/{}, mode {}", config.source().bucket(),
                config.source().prefix(), config.destination().bucket(), config.destination().prefix(),
                config.mode().configValue());
    }

    @Override
    public Class<? extends Task> taskClass() {
        return BucketCopySourceTask.class;
    }

    /** One config per task, each with its own hash shard of the keys (and so its own source partition). */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int shard = 0; shard < maxTasks; shard++) {
            Map<String, String> task = new HashMap<>(props);
            task.put(BucketCopySourceConfig.TASK_SHARD, Integer.toString(shard));
            task.put(BucketCopySourceConfig.TASK_SHARDS, Integer.toString(maxTasks));
            configs.add(task);
        }
        return configs;
    }

    @Override
    public void stop() {
        log.info("Bucket copy connector stopped");
    }

    @Override
    public ConfigDef config() {
        return BucketCopySourceConfig.configDef();
    }

    /** Per-key validation by the ConfigDef, then the checks between keys, each reported on the key to fix. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        return ConnectorValidation.validate(config(), connectorConfigs, BucketCopySourceConfig::crossFieldErrors);
    }

    /**
     * Accepts offsets that a user writes through the REST API: {@code {"after": "key"}} (copy everything after
     * that key) or a null offset (start the partition from the beginning of the prefix).
     */
    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        for (Map.Entry<Map<String, ?>, Map<String, ?>> e : offsets.entrySet()) {
            CopyEvents.checkPartition(e.getKey());
            Map<String, ?> offset = e.getValue();
            if (offset != null && offset.get(CopyEvents.OFFSET_AFTER) != null
                    && !(offset.get(CopyEvents.OFFSET_AFTER) instanceof String)) {
                throw new ConnectException("Offset '" + CopyEvents.OFFSET_AFTER + "' of " + e.getKey()
                        + " must be an object key (a string), but is " + offset.get(CopyEvents.OFFSET_AFTER));
            }
        }
        return true;
    }
}
