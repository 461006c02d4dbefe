package io.tieredarchive.sink;

import io.tieredarchive.config.CommitMode;
import io.tieredarchive.tier.TieringServices;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.TieringSettings;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Real tiering services for the task's unit tests: one per {@code local.dir}, all on one directory used as a
 * bucket ({@link FileSystemStorageBackend}), with the test's clock. They are not started: a test runs a tiering
 * pass when it wants one ({@link TieringService#runPass}).
 */
final class FileSystemTiers implements AutoCloseable {

    private final Path bucket;
    private final LongSupplier clock;
    private final Map<Path, TieringService> services = new HashMap<>();

    FileSystemTiers(Path bucket, LongSupplier clock) {
        this.bucket = bucket;
        this.clock = clock;
    }

    /** The service of {@code localDir}, with the tier keys of the first task config that asked for it. */
    TieringService of(ArchiveSinkConfig config) {
        return services.computeIfAbsent(config.localDir(), dir -> new TieringService(TieringSettings.from(config),
                clock));
    }

    /** The key prefix of the stores tasks get from now on: a changed connector config. */
    String prefix = "";

    /** A store on the bucket directory under {@link #prefix}, as each task's own connection gives it one. */
    RemoteSegmentStore store() {
        return store(prefix);
    }

    /** A store on the bucket directory under {@code prefix}. */
    RemoteSegmentStore store(String prefix) {
        return new RemoteSegmentStore(new FileSystemStorageBackend(bucket), prefix, clock);
    }

    TieringService of(Path localDir) {
        TieringService service = services.get(localDir);
        if (service == null) {
            throw new IllegalStateException("no task started on " + localDir);
        }
        return service;
    }

    /** What {@link ArchiveSinkTask}'s test constructor takes: a {@link TieredDurability} on {@link #of}. */
    Durability durability(ArchiveSinkConfig config, Runnable onTiered) {
        return new TieredDurability(TieringServices.attach(of(config), config.connectorName(), store()),
                config.commitMode() == CommitMode.REMOTE, onTiered);
    }

    @Override
    public void close() {
        services.values().forEach(TieringService::close);
    }
}
