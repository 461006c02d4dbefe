package io.tieredarchive.sink;

import io.tieredarchive.config.CommitMode;
import io.tieredarchive.config.S3ConnectionConfig;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.TieringListener;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.TieringServices;
import io.tieredarchive.tier.TieringSettings;
import io.tieredarchive.tier.TieringStats;
import io.tieredarchive.tier.remote.ArchiveCatalog;
import io.tieredarchive.tier.remote.ArchivePartition;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Durability} on the S3 tier: every segment sealed locally is handed to the worker's {@link TieringService}
 * of {@code local.dir}, which uploads, verifies and registers it in the task's own store (its config's
 * {@code s3.*} connection), and later frees the local copy.
 *
 * <ul>
 *   <li>{@link #archivedEnd} ({@link #archivedEnds} for all the partitions opened at once, a few listings
 *       per incarnation): the later of the counted local segments' end and the end of the incarnation's
 *       markers in the task's store, so a partition that comes back from another worker (or another disk) is not
 *       archived twice;</li>
 *   <li>{@code commit.mode=remote}: {@link #durableEnd} is the tier's {@link TieringService#remoteDurableEnd}: only
 *       records whose segment is uploaded and verified in S3 are committed;</li>
 *   <li>{@code commit.mode=local}: a record is durable once its segment is sealed locally (or below the archive's
 *       end found on open); the tier uploads the segment all the same, also after the partition moved away or the
 *       task stopped, because the service keeps running until everything under {@code local.dir} is tiered.</li>
 * </ul>
 *
 * <p>{@code onTiered} is run (on the tiering thread) when a segment of a partition open here becomes safe in S3,
 * so that the task can ask Connect to commit soon. The task thread calls every other method.
 */
final class TieredDurability implements Durability {

    private final TieringServices.Handle handle;
    private final TieringService tier;
    private final boolean remoteCommit;
    private final TieringListener listener;
    private final Set<TopicPartition> open = ConcurrentHashMap.newKeySet();
    /** {@code commit.mode=local}: per open partition, the offset below which records are sealed locally or in S3. */
    private final Map<ArchivePartition, Long> localEnds = new HashMap<>();

    TieredDurability(TieringServices.Handle handle, boolean remoteCommit, Runnable onTiered) {
        this.handle = handle;
        this.tier = handle.service();
        this.remoteCommit = remoteCommit;
        this.listener = (tp, meta) -> {
            if (open.contains(tp)) {
                onTiered.run();
            }
        };
        tier.addListener(listener);
    }

    /**
     * Starts (or joins) the tiering service of the connector's {@code local.dir}, uploading through the
     * connector's {@code s3.*} connection; {@link #close} releases it.
     *
     * @throws IllegalStateException when another connector archives that {@code local.dir} elsewhere
     */
    static TieredDurability acquire(ArchiveSinkConfig config, Runnable onTiered) {
        TieringServices.Handle handle = TieringServices.acquire(TieringSettings.from(config),
                S3ConnectionConfig.parse(config, ""), config.connectorName());
        return new TieredDurability(handle, config.commitMode() == CommitMode.REMOTE, onTiered);
    }

    @Override
    public String destination() {
        return handle.destination();
    }

    @Override
    public boolean canUpload(String destination) {
        return tier.canUpload(destination);
    }

    @Override
    public long archivedEnd(ArchivePartition p, long localSealedEnd) throws SegmentException {
        long end = Math.max(localSealedEnd, tier.archivedEnd(handle.destination(), p));
        open.add(new TopicPartition(p.topic(), p.partition()));
        localEnds.put(p, end);
        return end;
    }

    @Override
    public Map<ArchivePartition, Long> archivedEnds(Map<ArchivePartition, LocalSegments> opening)
            throws SegmentException {
        Map<ArchivePartition, List<SegmentMetadata>> markers = new LinkedHashMap<>();
        opening.forEach((p, local) -> markers.put(p, local.markers()));
        Map<ArchivePartition, Long> ends = new LinkedHashMap<>();
        tier.archivedEnds(handle.destination(), markers).forEach((p, remoteEnd) -> {
            long end = Math.max(opening.get(p).sealedEnd(), remoteEnd);
            open.add(new TopicPartition(p.topic(), p.partition()));
            localEnds.put(p, end);
            ends.put(p, end);
        });
        return ends;
    }

    @Override
    public boolean hasOtherIncarnation(ArchivePartition p) throws SegmentException {
        for (ArchiveCatalog.Entry e : handle.store().catalog().incarnations(p.topic())) {
            if (!e.incarnation().isLegacy() && !e.incarnation().equals(p.incarnation())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void sealed(ArchivePartition p, SegmentFiles files, SegmentMetadata metadata) {
        tier.segmentSealed(files, metadata);
        localEnds.merge(p, metadata.nextOffset(), Math::max);
    }

    @Override
    public long durableEnd(ArchivePartition p) {
        return remoteCommit ? tier.remoteDurableEnd(p) : localEnds.getOrDefault(p, -1L);
    }

    @Override
    public void closed(ArchivePartition p) {
        open.remove(new TopicPartition(p.topic(), p.partition()));
        localEnds.remove(p);
    }

    @Override
    public TieringStats tieringStats() {
        return tier.stats();
    }

    /** Releases the tiering service; it goes on until every sealed segment under {@code local.dir} is tiered. */
    @Override
    public void close() {
        open.clear();
        localEnds.clear();
        tier.removeListener(listener);
        handle.close();
    }
}
