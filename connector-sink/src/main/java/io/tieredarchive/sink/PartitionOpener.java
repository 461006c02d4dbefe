package io.tieredarchive.sink;

import io.tieredarchive.failure.Failures;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentOrigin;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.tier.LocalTier;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.storage.StorageException;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Opens the partitions assigned to a task:
 * <ol>
 *   <li>brings the local directory back to what is durable ({@link PartitionRecovery});</li>
 *   <li>asks Kafka which incarnation of the topic is live (cluster id, topic id: {@link TopicIdentities});</li>
 *   <li>retires the local directory ({@link LocalTier#retire}) when its sealed segments belong to another archive:
 *       another incarnation (the topic was recreated; another cluster), the legacy format, or another destination
 *       (the connector's bucket or prefix changed). Retired segments are still uploaded where their markers say;
 *       those of the same incarnation that can still be uploaded from here count as archived;</li>
 *   <li>asks the {@link Durability} where the incarnation's archive ends in the task's store, and starts a
 *       {@link PartitionArchive} there. A new incarnation of a topic the archive knows an older incarnation of is
 *       archived from its first offset.</li>
 * </ol>
 * A partition whose end cannot be told now (S3 or Kafka unavailable, or the topic does not exist at this moment)
 * is <em>pending</em>: it is recovered but not opened, nothing of it is written or committed, and
 * {@link #openPending} asks again. Task thread only.
 */
final class PartitionOpener {

    private static final Logger log = LoggerFactory.getLogger(PartitionOpener.class);

    /** Why a partition cannot be opened now; it stays pending. */
    static final class NotNowException extends Exception {
        NotNowException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Path localDir;
    private final Durability durability;
    private final TopicIdentities identities;
    private final SegmentWriterOptions options;
    private final int segmentBytes;
    private final long segmentMs;
    private final PartitionArchive.SealListener listener;
    private final LongSupplier clock;
    private final PartitionArchive.DirectorySync directorySync;
    private final Map<TopicPartition, PartitionRecovery.Result> pending = new LinkedHashMap<>();

    PartitionOpener(Path localDir, Durability durability, TopicIdentities identities, SegmentWriterOptions options,
                    int segmentBytes, long segmentMs, PartitionArchive.SealListener listener, LongSupplier clock,
                    PartitionArchive.DirectorySync directorySync) {
        this.directorySync = directorySync;
        this.localDir = localDir;
        this.durability = durability;
        this.identities = identities;
        this.options = options;
        this.segmentBytes = segmentBytes;
        this.segmentMs = segmentMs;
        this.listener = listener;
        this.clock = clock;
    }

    /**
     * Recovers and opens {@code partitions}, handing each opened one to {@code opened}; those that cannot be opened
     * now become pending.
     *
     * @throws ConnectException when a local directory or the archive in S3 is unusable
     */
    void open(Collection<TopicPartition> partitions, Consumer<PartitionArchive> opened) {
        for (TopicPartition tp : partitions) {
            Path dir = PartitionArchive.directory(localDir, tp);
            try {
                pending.put(tp, PartitionRecovery.recover(dir, tp));
            } catch (SegmentException e) {
                throw new ConnectException("Cannot open the archive of " + tp + " in " + dir + ": " + e.getMessage(),
                        e);
            }
        }
        try {
            openPending(opened);
        } catch (NotNowException e) {
            if (Failures.needsOperator(Failures.kind(e))) {
                log.error("Cannot tell where the archive of {} partition(s) ends ({}); their records wait until "
                        + "it can be told", pending.size(), e.getMessage());
            } else {
                log.warn("Cannot tell yet where the archive of {} partition(s) ends ({}); their records wait until "
                        + "it can be told", pending.size(), e.getMessage());
            }
        }
    }

    /**
     * Opens the pending partitions, handing each to {@code opened}.
     *
     * @throws NotNowException when Kafka or S3 still cannot tell about one; it and the rest stay pending
     */
    void openPending(Consumer<PartitionArchive> opened) throws NotNowException {
        if (pending.isEmpty()) {
            return;
        }
        Set<String> topics = new HashSet<>();
        pending.keySet().forEach(tp -> topics.add(tp.topic()));
        Map<String, Incarnation> live;
        try {
            live = identities.incarnations(topics);
        } catch (TopicIdentities.UnavailableException e) {
            throw new NotNowException("cannot ask Kafka for the topics' identity: " + e.getMessage(), e);
        }
        Map<String, Boolean> otherIncarnations = new HashMap<>();
        List<TopicPartition> order = new ArrayList<>(pending.keySet());
        for (TopicPartition tp : order) {
            Incarnation incarnation = live.get(tp.topic());
            if (incarnation == null) {
                throw new NotNowException("topic " + tp.topic() + " does not exist now", null);
            }
            try {
                opened.accept(openAt(tp, incarnation, pending.get(tp), otherIncarnations));
            } catch (StorageException e) {
                // Never fails the task (the sink's rule for S3), but a missing bucket is no transient trouble.
                throw new NotNowException("cannot ask S3 where the archive of " + tp + " ends: " + e.getMessage()
                        + Failures.whatToCheck(e.kind(), "s3."), e);
            } catch (TopicIdentities.UnavailableException e) {
                throw new NotNowException("cannot ask Kafka where " + tp + " starts: " + e.getMessage(), e);
            } catch (SegmentException e) {
                throw new ConnectException("Cannot find where the archive of " + tp + " ends: " + e.getMessage(), e);
            }
            pending.remove(tp);
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

    private PartitionArchive openAt(TopicPartition tp, Incarnation incarnation, PartitionRecovery.Result recovered,
                                    Map<String, Boolean> otherIncarnations)
            throws SegmentException, TopicIdentities.UnavailableException {
        Path dir = PartitionArchive.directory(localDir, tp);
        ArchivePartition archive = new ArchivePartition(tp.topic(), incarnation, tp.partition());
        String destination = durability.destination();
        long localEnd = recovered.sealedEnd();
        boolean recreated = false;
        if (recovered.sealed().stream().anyMatch(m -> !archive.holds(m) || !destination.equals(m.destination()))) {
            Retired retired = retire(dir, tp, archive, destination, recovered);
            localEnd = retired.countedEnd();
            recreated = retired.otherIncarnation();
        }
        long end = durability.archivedEnd(archive, localEnd);
        long floor = -1;
        if (end < 0 && (recreated || hasOtherIncarnation(archive, otherIncarnations))) {
            floor = identities.earliestOffsets(List.of(tp)).getOrDefault(tp, 0L);
            log.info("{}: {} is a new incarnation of {} (the archive holds an older one); archiving it from its "
                    + "first offset, {}", tp, incarnation, tp.topic(), floor);
        }
        log.info("Opened {}: {} sealed segment(s) in {}, archive ends at offset {} (local {}), archiving to {}",
                archive, recovered.sealedSegments(), dir, end < 0 ? "(none)" : end, localEnd < 0 ? "(none)" : localEnd,
                destination);
        SegmentWriterOptions partitionOptions = options.withOrigin(new SegmentOrigin(incarnation.clusterId(),
                incarnation.topicId(), -1, destination));
        return new PartitionArchive(tp, archive, dir, end, floor, partitionOptions, segmentBytes, segmentMs,
                listener, directorySync);
    }

    /** Whether the store holds another incarnation of the topic, asked once per topic per call of open. */
    private boolean hasOtherIncarnation(ArchivePartition archive, Map<String, Boolean> known)
            throws SegmentException {
        Boolean other = known.get(archive.topic());
        if (other == null) {
            other = durability.hasOtherIncarnation(archive);
            known.put(archive.topic(), other);
        }
        return other;
    }

    /** What a retired directory held: the end of the segments that still count, and whether another incarnation. */
    private record Retired(long countedEnd, boolean otherIncarnation) {
    }

    /**
     * Moves the directory out of the way of this archive. Its segments of the same incarnation that are tiered, or
     * can still be uploaded from here (a changed destination the service still drains), count as archived.
     */
    private Retired retire(Path dir, TopicPartition tp, ArchivePartition archive, String destination,
                           PartitionRecovery.Result recovered) throws SegmentException {
        long counted = -1;
        boolean other = false;
        for (SegmentMetadata m : recovered.sealed()) {
            boolean tiered = LocalTier.isTiered(SegmentFiles.of(dir, m.baseOffset()));
            if (archive.holds(m) && (destination.equals(m.destination()) || tiered
                    || durability.canUpload(m.destination()))) {
                counted = Math.max(counted, m.nextOffset());
            }
            other |= m.hasIdentity() && !archive.holds(m);
        }
        SegmentMetadata first = recovered.sealed().get(0);
        Path retired;
        try {
            retired = LocalTier.retire(dir, clock.getAsLong());
        } catch (IOException e) {
            throw new SegmentException("Cannot move " + dir + " out of the way of " + archive + ": " + e, e);
        }
        log.warn("{}: {} held {} sealed segment(s) of another archive ({}, destination {}); the live archive is {}, "
                        + "destination {}. Moved them to {}: they are uploaded where their markers say, and freed by "
                        + "local retention once there{}", tp, dir, recovered.sealed().size(),
                first.hasIdentity() ? Incarnation.of(first).toString() : Incarnation.LEGACY.toString(),
                first.destination(), archive.incarnation(), destination, retired,
                counted >= 0 ? "; offsets below " + counted + " count as archived" : "");
        return new Retired(counted, other);
    }
}
