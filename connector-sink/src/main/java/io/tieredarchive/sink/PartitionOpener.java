package io.tieredarchive.sink;

import io.tieredarchive.failure.Failures;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentOrigin;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.tier.LocalTier;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.BoundedTasks;
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
    /** Local directories recovered at once when partitions are opened: disk work, a few at a time. */
    private static final int RECOVERY_THREADS = 4;

    private final Map<TopicPartition, PartitionRecovery.Result> pending = new LinkedHashMap<>();
    /** Time the local recovery of the pending partitions took, for the next "Opened" line. */
    private long recoveryMs;

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
     * now become pending. The local directories are recovered a few at a time in parallel.
     *
     * @throws ConnectException when a local directory or the archive in S3 is unusable
     */
    void open(Collection<TopicPartition> partitions, Consumer<PartitionArchive> opened) {
        long started = clock.getAsLong();
        try {
            pending.putAll(BoundedTasks.run(partitions, RECOVERY_THREADS, "tiered-archive-recovery", tp -> {
                Path dir = PartitionArchive.directory(localDir, tp);
                try {
                    return PartitionRecovery.recover(dir, tp);
                } catch (SegmentException e) {
                    throw new ConnectException("Cannot open the archive of " + tp + " in " + dir + ": "
                            + e.getMessage(), e);
                }
            }));
        } catch (SegmentException e) {
            throw new ConnectException("Cannot open the archives of " + partitions.size() + " partition(s): "
                    + e.getMessage(), e);
        }
        recoveryMs += clock.getAsLong() - started;
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
     * Opens the pending partitions, handing each to {@code opened}: their local directories first, then where
     * each archive ends, asked of the store for all of them at once ({@link Durability#archivedEnds}).
     *
     * @throws NotNowException when Kafka or S3 still cannot tell about one; it (and, when S3 cannot tell, all
     *                         those asked with it) stays pending
     */
    void openPending(Consumer<PartitionArchive> opened) throws NotNowException {
        if (pending.isEmpty()) {
            return;
        }
        long started = clock.getAsLong();
        Set<String> topics = new HashSet<>();
        pending.keySet().forEach(tp -> topics.add(tp.topic()));
        Map<String, Incarnation> live;
        long identified;
        try {
            live = identities.incarnations(topics);
            identified = clock.getAsLong();
        } catch (TopicIdentities.UnavailableException e) {
            throw new NotNowException("cannot ask Kafka for the topics' identity: " + e.getMessage(), e);
        }
        List<String> missing = new ArrayList<>();
        Map<TopicPartition, Opening> openings = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, PartitionRecovery.Result> e : pending.entrySet()) {
            Incarnation incarnation = live.get(e.getKey().topic());
            if (incarnation == null) {
                missing.add(e.getKey().topic());
            } else {
                openings.put(e.getKey(), prepare(e.getKey(), incarnation, e.getValue()));
            }
        }
        Map<ArchivePartition, Durability.LocalSegments> local = new LinkedHashMap<>();
        openings.values().forEach(o -> local.put(o.archive(), new Durability.LocalSegments(o.localEnd(),
                o.recovered().sealed())));
        Map<ArchivePartition, Long> ends;
        long asked = clock.getAsLong();
        try {
            ends = durability.archivedEnds(local);
        } catch (StorageException e) {
            // Never fails the task (the sink's rule for S3), but a missing bucket is no transient trouble.
            throw new NotNowException("cannot ask S3 where the archive of " + describe(openings.keySet()) + " ends: "
                    + e.getMessage() + Failures.whatToCheck(e.kind(), "s3."), e);
        } catch (SegmentException e) {
            throw new ConnectException("Cannot find where the archive of " + describe(openings.keySet()) + " ends: "
                    + e.getMessage(), e);
        }
        long answered = clock.getAsLong();
        Map<TopicPartition, Long> floors = floors(openings, ends);
        for (Opening o : openings.values()) {
            opened.accept(openAt(o, ends.get(o.archive()), floors.getOrDefault(o.tp(), -1L)));
            pending.remove(o.tp());
        }
        if (!openings.isEmpty()) {
            long now = clock.getAsLong();
            log.info("Opened {} partition(s) in {} ms (local recovery {} ms, topic identities {} ms, the store {} ms, "
                    + "the rest {} ms){}", openings.size(), recoveryMs + now - started, recoveryMs,
                    identified - started, answered - asked, now - answered + asked - identified,
                    pending.isEmpty() ? "" : "; " + pending.size() + " wait for their topic to exist");
            recoveryMs = 0;
        }
        if (!missing.isEmpty()) {
            throw new NotNowException("topic " + missing.get(0) + " does not exist now", null);
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

    /** A partition being opened: its live archive, its recovered directory, and what counts of it locally. */
    private record Opening(TopicPartition tp, ArchivePartition archive, PartitionRecovery.Result recovered,
                           long localEnd, boolean recreated) {
    }

    /** Retires the directory of {@code tp} when it holds segments of another archive (local work only). */
    private Opening prepare(TopicPartition tp, Incarnation incarnation, PartitionRecovery.Result recovered) {
        ArchivePartition archive = new ArchivePartition(tp.topic(), incarnation, tp.partition());
        String destination = durability.destination();
        long localEnd = recovered.sealedEnd();
        boolean recreated = false;
        if (recovered.sealed().stream().anyMatch(m -> !archive.holds(m) || !destination.equals(m.destination()))) {
            try {
                Retired retired = retire(PartitionArchive.directory(localDir, tp), tp, archive, destination,
                        recovered);
                localEnd = retired.countedEnd();
                recreated = retired.otherIncarnation();
            } catch (SegmentException e) {
                throw new ConnectException("Cannot find where the archive of " + tp + " ends: " + e.getMessage(), e);
            }
        }
        return new Opening(tp, archive, recovered, localEnd, recreated);
    }

    /**
     * Where each new incarnation of a topic the archive knows an older one of starts: its first offset, asked of
     * Kafka for all of them at once. Only partitions with nothing archived of the live incarnation.
     */
    private Map<TopicPartition, Long> floors(Map<TopicPartition, Opening> openings, Map<ArchivePartition, Long> ends)
            throws NotNowException {
        Map<String, Boolean> otherIncarnations = new HashMap<>();
        List<TopicPartition> fromStart = new ArrayList<>();
        for (Opening o : openings.values()) {
            try {
                if (ends.get(o.archive()) < 0 && (o.recreated() || hasOtherIncarnation(o.archive(),
                        otherIncarnations))) {
                    fromStart.add(o.tp());
                }
            } catch (StorageException e) {
                throw new NotNowException("cannot ask S3 which incarnations of " + o.tp().topic() + " it holds: "
                        + e.getMessage() + Failures.whatToCheck(e.kind(), "s3."), e);
            } catch (SegmentException e) {
                throw new ConnectException("Cannot find where the archive of " + o.tp() + " ends: " + e.getMessage(),
                        e);
            }
        }
        if (fromStart.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, Long> earliest;
        try {
            earliest = identities.earliestOffsets(fromStart);
        } catch (TopicIdentities.UnavailableException e) {
            throw new NotNowException("cannot ask Kafka where " + describe(fromStart) + " starts: " + e.getMessage(),
                    e);
        }
        Map<TopicPartition, Long> floors = new HashMap<>();
        fromStart.forEach(tp -> floors.put(tp, earliest.getOrDefault(tp, 0L)));
        return floors;
    }

    /** The open partition; {@code floor} its first offset when it is a new incarnation archived from there. */
    private PartitionArchive openAt(Opening o, long end, long floor) {
        TopicPartition tp = o.tp();
        Path dir = PartitionArchive.directory(localDir, tp);
        if (floor >= 0) {
            log.info("{}: {} is a new incarnation of {} (the archive holds an older one); archiving it from its "
                    + "first offset, {}", tp, o.archive().incarnation(), tp.topic(), floor);
        }
        String destination = durability.destination();
        log.info("Opened {}: {} sealed segment(s) in {}, archive ends at offset {} (local {}), archiving to {}",
                o.archive(), o.recovered().sealedSegments(), dir, end < 0 ? "(none)" : end,
                o.localEnd() < 0 ? "(none)" : o.localEnd(), destination);
        Incarnation incarnation = o.archive().incarnation();
        SegmentWriterOptions partitionOptions = options.withOrigin(new SegmentOrigin(incarnation.clusterId(),
                incarnation.topicId(), -1, destination));
        return new PartitionArchive(tp, o.archive(), dir, end, floor, partitionOptions, segmentBytes, segmentMs,
                listener, directorySync);
    }

    /** Partitions named in a message: the first, and how many others. */
    private static String describe(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return "no partition";
        }
        TopicPartition first = partitions.iterator().next();
        return partitions.size() == 1 ? first.toString() : first + " and " + (partitions.size() - 1) + " other(s)";
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
