package io.tieredarchive.sink;

import io.tieredarchive.config.S3ConnectionConfig;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.TieringListener;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.TieringServices;
import io.tieredarchive.tier.TieringSettings;
import io.tieredarchive.tier.TieringStats;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Durability} on the S3 tier: every segment sealed locally is handed to the worker's {@link TieringService}
 * of {@code local.dir}, which uploads, verifies and registers it, and later frees the local copy.
 *
 * <ul>
 *   <li>{@link #archivedEnd}: the later of the sealed local segments' end and the end of the markers in S3, so a
 *       partition that comes back from another worker (or another disk) is not archived twice;</li>
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

    private final TieringService tier;
    private final boolean remoteCommit;
    private final Runnable release;
    private final TieringListener listener;
    private final Set<TopicPartition> open = ConcurrentHashMap.newKeySet();
    /** {@code commit.mode=local}: per open partition, the offset below which records are sealed locally or in S3. */
    private final Map<TopicPartition, Long> localEnds = new HashMap<>();

    TieredDurability(TieringService tier, boolean remoteCommit, Runnable onTiered, Runnable release) {
        this.tier = tier;
        this.remoteCommit = remoteCommit;
        this.release = release;
        this.listener = (tp, meta) -> {
            if (open.contains(tp)) {
                onTiered.run();
            }
        };
        tier.addListener(listener);
    }

    /**
     * Starts (or joins) the tiering service of the connector's {@code local.dir}, with its {@code s3.*} keys and
     * its local tier keys; {@link #close} releases it.
     */
    static TieredDurability acquire(ArchiveSinkConfig config, Runnable onTiered) {
        TieringService tier = TieringServices.acquire(TieringSettings.from(config),
                S3ConnectionConfig.parse(config, ""));
        return new TieredDurability(tier, "remote".equals(config.commitMode()), onTiered,
                () -> TieringServices.release(tier));
    }

    @Override
    public long archivedEnd(TopicPartition tp, long localSealedEnd) throws SegmentException {
        long end = tier.archivedEnd(tp, localSealedEnd);
        open.add(tp);
        localEnds.put(tp, end);
        return end;
    }

    @Override
    public void sealed(TopicPartition tp, SegmentFiles files, SegmentMetadata metadata) {
        tier.segmentSealed(tp, files, metadata);
        localEnds.merge(tp, metadata.nextOffset(), Math::max);
    }

    @Override
    public long durableEnd(TopicPartition tp) {
        return remoteCommit ? tier.remoteDurableEnd(tp) : localEnds.getOrDefault(tp, -1L);
    }

    @Override
    public void closed(TopicPartition tp) {
        open.remove(tp);
        localEnds.remove(tp);
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
        release.run();
    }
}
