package io.tieredarchive.sink;

import io.tieredarchive.config.CommitMode;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentOrigin;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.tier.TieringServices;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.TieringSettings;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;

import org.apache.kafka.common.record.TimestampType;

import java.nio.charset.StandardCharsets;
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

    /** The service of {@code localDir} with default pacing and no upload delay, for tests without a task config. */
    TieringService service(Path localDir) {
        return services.computeIfAbsent(localDir, dir -> new TieringService(new TieringSettings(dir, 0, -1, -1,
                TieringSettings.DEFAULT_SCAN_INTERVAL_MS, 1, TieringSettings.DEFAULT_MIN_BACKOFF_MS,
                TieringSettings.DEFAULT_MAX_BACKOFF_MS), clock));
    }

    /** A task's {@link TieredDurability} on {@code service}, uploading to {@link #store()}. */
    TieredDurability durability(TieringService service, boolean remoteCommit, Runnable onTiered) {
        return new TieredDurability(TieringServices.attach(service, "sink", store()), remoteCommit, onTiered);
    }

    /**
     * Seals offsets {@code from..to-1} of {@code p} in a segment under the service's {@code local.dir}, archived to
     * {@code durability}'s destination, and tells {@code durability}, as a task does.
     */
    static SegmentMetadata seal(TieringService service, Durability durability, ArchivePartition p, long from,
                                long to) throws SegmentException {
        SegmentWriterOptions options = new SegmentWriterOptions("none", null, 4096, "writer-1",
                new SegmentOrigin(p.incarnation().clusterId(), p.incarnation().topicId(), from,
                        durability.destination()));
        SegmentWriter writer = SegmentWriter.create(service.localTier().partitionDir(p.topic(), p.partition()),
                p.topic(), p.partition(), from, options);
        for (long offset = from; offset < to; offset++) {
            writer.append(new ArchivedRecord(offset, offset, TimestampType.CREATE_TIME, null,
                    ("v" + offset).getBytes(StandardCharsets.UTF_8)));
        }
        SegmentMetadata meta = writer.seal(System.currentTimeMillis());
        durability.sealed(p, writer.files(), meta);
        return meta;
    }

    @Override
    public void close() {
        services.values().forEach(TieringService::close);
    }
}
