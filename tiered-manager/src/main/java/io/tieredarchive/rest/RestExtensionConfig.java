package io.tieredarchive.rest;

import io.tieredarchive.tier.read.RestoreRoot;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The REST extension's keys, set in the <b>worker</b> config (Connect passes it to the extension's
 * {@code configure}); a worker with an invalid value does not start, and the error names the key. Everything a
 * caller of the REST API may make this worker do is bounded here by its operator.
 */
public final class RestExtensionConfig extends AbstractConfig {

    public static final String RESTORE_ROOT = "tiered.archive.rest.restore.root";
    private static final String RESTORE_ROOT_DOC = "Absolute directory of this worker under which "
            + "POST /tiered-archive/restore may write (created if missing). Unset: restore over REST is off and "
            + "answers 403. A request's 'directory' is taken relative to it; '..', paths outside it, symbolic links "
            + "leaving it and the local.dir of a running tiering service are refused with 400.";

    public static final String RESTORE_THREADS = "tiered.archive.rest.restore.threads";
    private static final String RESTORE_THREADS_DOC = "Restore jobs that run at once on this worker.";
    private static final int RESTORE_THREADS_DEFAULT = 1;

    public static final String RESTORE_QUEUE_SIZE = "tiered.archive.rest.restore.queue.size";
    private static final String RESTORE_QUEUE_SIZE_DOC = "Restore jobs that may wait for a thread; one more is "
            + "refused with 429 until a job ends.";
    private static final int RESTORE_QUEUE_SIZE_DEFAULT = 4;

    public static final String RESTORE_JOBS_RETAINED = "tiered.archive.rest.restore.jobs.retained";
    private static final String RESTORE_JOBS_RETAINED_DOC = "Finished restore jobs whose status is kept (the oldest "
            + "are forgotten first).";
    private static final int RESTORE_JOBS_RETAINED_DEFAULT = 100;

    public static final String RESTORE_JOBS_RETENTION_MS = "tiered.archive.rest.restore.jobs.retention.ms";
    private static final String RESTORE_JOBS_RETENTION_MS_DOC = "How long the status of a finished restore job is "
            + "kept.";
    private static final long RESTORE_JOBS_RETENTION_MS_DEFAULT = Duration.ofHours(1).toMillis();

    public static final String STORES_MAX = "tiered.archive.rest.stores.max";
    private static final String STORES_MAX_DOC = "S3 clients kept open for requests that name a connector, one per "
            + "distinct S3 connection (bucket, prefix, endpoint, credentials); beyond it, one is closed.";
    private static final int STORES_MAX_DEFAULT = 16;

    public static final String STORES_IDLE_MS = "tiered.archive.rest.stores.idle.ms";
    private static final String STORES_IDLE_MS_DOC = "An S3 client no request used for this long is closed (so a "
            + "rotated credential's client does not stay open).";
    private static final long STORES_IDLE_MS_DEFAULT = Duration.ofMinutes(10).toMillis();

    private static final String GROUP = "Tiered Archive REST extension";

    private final RestoreRoot restoreRoot;

    /** @throws ConfigException naming the key of an invalid value, or a restore root that cannot be created */
    public RestExtensionConfig(Map<?, ?> workerConfig) {
        super(configDef(), workerConfig, false);
        this.restoreRoot = parseRestoreRoot(getString(RESTORE_ROOT));
    }

    public static ConfigDef configDef() {
        ConfigDef def = new ConfigDef();
        def.define(RESTORE_ROOT, Type.STRING, null, Importance.HIGH, RESTORE_ROOT_DOC, GROUP, 1,
                ConfigDef.Width.LONG, "Restore root");
        def.define(RESTORE_THREADS, Type.INT, RESTORE_THREADS_DEFAULT, Range.between(1, 64), Importance.MEDIUM,
                RESTORE_THREADS_DOC, GROUP, 2, ConfigDef.Width.SHORT, "Restore threads");
        def.define(RESTORE_QUEUE_SIZE, Type.INT, RESTORE_QUEUE_SIZE_DEFAULT, Range.between(0, 10_000),
                Importance.MEDIUM, RESTORE_QUEUE_SIZE_DOC, GROUP, 3, ConfigDef.Width.SHORT, "Restore queue");
        def.define(RESTORE_JOBS_RETAINED, Type.INT, RESTORE_JOBS_RETAINED_DEFAULT, Range.between(1, 100_000),
                Importance.LOW, RESTORE_JOBS_RETAINED_DOC, GROUP, 4, ConfigDef.Width.SHORT, "Finished jobs kept");
        def.define(RESTORE_JOBS_RETENTION_MS, Type.LONG, RESTORE_JOBS_RETENTION_MS_DEFAULT, Range.atLeast(0L),
                Importance.LOW, RESTORE_JOBS_RETENTION_MS_DOC, GROUP, 5, ConfigDef.Width.SHORT, "Job retention");
        def.define(STORES_MAX, Type.INT, STORES_MAX_DEFAULT, Range.between(1, 1_000), Importance.LOW,
                STORES_MAX_DOC, GROUP, 6, ConfigDef.Width.SHORT, "S3 clients kept");
        def.define(STORES_IDLE_MS, Type.LONG, STORES_IDLE_MS_DEFAULT, Range.atLeast(1_000L), Importance.LOW,
                STORES_IDLE_MS_DOC, GROUP, 7, ConfigDef.Width.SHORT, "S3 client idle time");
        return def;
    }

    /** The restore root (created when the config was read); empty when restore over REST is off. */
    public Optional<RestoreRoot> restoreRoot() {
        return Optional.ofNullable(restoreRoot);
    }

    private static RestoreRoot parseRestoreRoot(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return RestoreRoot.of(Path.of(value.trim()));
        } catch (IllegalArgumentException e) { // InvalidPathException included
            throw new ConfigException(RESTORE_ROOT, value, e.getMessage());
        } catch (IOException e) {
            throw new ConfigException(RESTORE_ROOT, value, "cannot create it: " + e);
        }
    }

    public int restoreThreads() {
        return getInt(RESTORE_THREADS);
    }

    public int restoreQueueSize() {
        return getInt(RESTORE_QUEUE_SIZE);
    }

    public int restoreJobsRetained() {
        return getInt(RESTORE_JOBS_RETAINED);
    }

    public Duration restoreJobsRetention() {
        return Duration.ofMillis(getLong(RESTORE_JOBS_RETENTION_MS));
    }

    public int storesMax() {
        return getInt(STORES_MAX);
    }

    public Duration storesIdle() {
        return Duration.ofMillis(getLong(STORES_IDLE_MS));
    }
}
