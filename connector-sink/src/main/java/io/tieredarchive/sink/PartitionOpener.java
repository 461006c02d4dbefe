package io.tieredarchive.sink;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.tier.storage.StorageException;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Opens the partitions assigned to a task: brings the local directory back to what is durable
 * ({@link PartitionRecovery}), then asks the {@link Durability} where the archive ends (local sealed segments and
 * S3) and starts a {@link PartitionArchive} there. A partition whose end S3 cannot tell now (a
 * {@link StorageException}) is <em>pending</em>: it is recovered but not opened, nothing of it is written or
 * committed, and {@link #openPending} asks again. Task thread only.
 */
final class PartitionOpener {

    private static final Logger log = LoggerFactory.getLogger(PartitionOpener.class);

    private final Path localDir;
    private final Durability durability;
    private final SegmentWriterOptions options;
    private final int segmentBytes;
    private final long segmentMs;
    private final PartitionArchive.SealListener listener;
    private final Map<TopicPartition, PartitionRecovery.Result> pending = new HashMap<>();

    PartitionOpener(Path localDir, Durability durability, SegmentWriterOptions options, int segmentBytes,
                    long segmentMs, PartitionArchive.SealListener listener) {
        this.localDir = localDir;
        this.durability = durability;
        this.options = options;
        this.segmentBytes = segmentBytes;
        this.segmentMs = segmentMs;
        this.listener = listener;
    }

    /**
     * Recovers and opens {@code tp}; null when S3 cannot be asked now (the partition is then pending).
     *
     * @throws ConnectException when the local directory or the archive in S3 is unusable
     */
    PartitionArchive open(TopicPartition tp) {
        Path dir = PartitionArchive.directory(localDir, tp);
        PartitionRecovery.Result recovered;
        try {
            recovered = PartitionRecovery.recover(dir, tp);
        } catch (SegmentException e) {
            throw new ConnectException("Cannot open the archive of " + tp + " in " + dir + ": " + e.getMessage(), e);
        }
        try {
            return openAt(tp, recovered);
        } catch (StorageException e) {
            pending.put(tp, recovered);
            log.warn("{}: cannot ask S3 where its archive ends ({}); its records wait until S3 answers", tp,
                    e.getMessage());
            return null;
        }
    }

    /**
     * Opens the pending partitions, handing each to {@code opened}.
     *
     * @throws StorageException for the first that S3 still cannot tell about; it and the rest stay pending
     */
    void openPending(Consumer<PartitionArchive> opened) throws StorageException {
        for (Iterator<Map.Entry<TopicPartition, PartitionRecovery.Result>> it = pending.entrySet().iterator();
             it.hasNext(); ) {
            Map.Entry<TopicPartition, PartitionRecovery.Result> e = it.next();
            opened.accept(openAt(e.getKey(), e.getValue()));
            it.remove();
        }
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    boolean isPending(TopicPartition tp) {
        return pending.containsKey(tp);
    }

    /** Forgets a pending partition (closed); true when it was pending. */
    boolean forget(TopicPartition tp) {
        return pending.remove(tp) != null;
    }

    void clear() {
        pending.clear();
    }

    private PartitionArchive openAt(TopicPartition tp, PartitionRecovery.Result recovered) throws StorageException {
        Path dir = PartitionArchive.directory(localDir, tp);
        long end;
        try {
            end = durability.archivedEnd(tp, recovered.sealedEnd());
        } catch (StorageException e) {
            throw e;
        } catch (SegmentException e) {
            throw new ConnectException("Cannot find where the archive of " + tp + " ends: " + e.getMessage(), e);
        }
        log.info("Opened {}: {} sealed segment(s) in {}, archive ends at offset {} (local {})", tp,
                recovered.sealedSegments(), dir, end < 0 ? "(none)" : end,
                recovered.sealedEnd() < 0 ? "(none)" : recovered.sealedEnd());
        return new PartitionArchive(tp, dir, end, options, segmentBytes, segmentMs, listener);
    }
}
