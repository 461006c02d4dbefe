package io.tieredarchive.tier;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteLayout;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a {@link TieringService} knows of its {@code local.dir}: the sealed segments (by marker path, each tiered or
 * not) and, per partition, the tiered end and the upload backoff. The tiering thread updates it after each scan
 * and upload; the sink's tasks read it ({@link #remoteDurableEnd}) without any I/O. Thread-safe.
 */
final class TierState {

    private final Map<SegmentFiles, LocalSegment> segments = new HashMap<>();
    private final UploadStates partitions;
    /** Stranded segments already reported, so each is reported once. */
    private final Set<SegmentFiles> reportedStranded = new HashSet<>();

    TierState(TieringSettings settings) {
        this.partitions = new UploadStates(settings);
    }

    /** A segment the sink sealed: pending at once. */
    synchronized void sealed(SegmentFiles files, SegmentMetadata meta) {
        segments.putIfAbsent(files, new LocalSegment(files, meta, false));
    }

    /** What a scan found. A segment the sink reported while the scan ran is kept if its files are still there. */
    synchronized void scanned(List<LocalSegment> scanned) {
        Map<SegmentFiles, LocalSegment> fresh = new HashMap<>();
        for (LocalSegment s : scanned) {
            fresh.put(s.files(), s);
            if (s.tiered()) {
                partitions.tiered(s.archivePartition(), s.meta().nextOffset());
            }
        }
        segments.values().removeIf(s -> !fresh.containsKey(s.files())
                && !(Files.exists(s.files().marker()) && Files.exists(s.files().log())));
        segments.putAll(fresh);
        reportedStranded.retainAll(segments.keySet());
    }

    synchronized List<LocalSegment> all() {
        return new ArrayList<>(segments.values());
    }

    /** {@code s} is uploaded, proven by the store and marked tiered (its manifest registration may follow). */
    synchronized void tiered(LocalSegment s) {
        segments.put(s.files(), s.withTiered(true));
        partitions.tiered(s.archivePartition(), s.meta().nextOffset());
    }

    /** {@code s} must be uploaded again (the store lost it). */
    synchronized void untiered(LocalSegment s) {
        segments.computeIfPresent(s.files(), (f, old) -> old.withTiered(false));
    }

    synchronized void deleted(LocalSegment s) {
        segments.remove(s.files());
    }

    /** True the first time a stranded segment is seen: it is reported once. */
    synchronized boolean firstStranded(LocalSegment s) {
        return reportedStranded.add(s.files());
    }

    /**
     * The base of the oldest segment of {@code p} not tiered that can be uploaded, else the tiered end; -1 when
     * nothing is known.
     */
    synchronized long remoteDurableEnd(ArchivePartition p, Predicate<LocalSegment> uploadable) {
        long pending = segments.values().stream()
                .filter(s -> !s.tiered() && p.holds(s.meta()) && uploadable.test(s))
                .mapToLong(s -> s.meta().baseOffset()).min().orElse(-1);
        return pending >= 0 ? pending : partitions.tieredEnd(p);
    }

    /** True while a segment bound for {@code destination} is not tiered. */
    synchronized boolean pendingFor(String destination, Function<LocalSegment, String> destinationOf) {
        return segments.values().stream().anyMatch(s -> !s.tiered() && destination.equals(destinationOf.apply(s)));
    }

    /**
     * Per partition of {@code inStore} (the marker names the store holds of it), its local segments marked tiered
     * for {@code destination} whose markers are not among them: the store no longer holds them. One pass over the
     * segments answers every partition (a task opening thousands of partitions on a worker holding thousands of
     * segments would otherwise pay their product).
     */
    synchronized Map<ArchivePartition, List<LocalSegment>> tieredButNotIn(Map<ArchivePartition, Set<String>> inStore,
                                                                          String destination,
                                                                          Function<LocalSegment, String> destinationOf) {
        Map<ArchivePartition, List<LocalSegment>> lost = new HashMap<>();
        for (LocalSegment s : segments.values()) {
            Set<String> names = s.tiered() ? inStore.get(s.archivePartition()) : null;
            if (names != null && destination.equals(destinationOf.apply(s))
                    && !names.contains(RemoteLayout.markerName(s.meta()))) {
                lost.computeIfAbsent(s.archivePartition(), k -> new ArrayList<>()).add(s);
            }
        }
        return lost;
    }

    /**
     * After {@link #untiered} of lost segments: each partition's tiered end is what the store holds
     * ({@code remoteEnds}), or its tiered local segments' end when higher; one pass for every partition.
     */
    synchronized void resetTieredEnds(Map<ArchivePartition, Long> remoteEnds) {
        Map<ArchivePartition, Long> ends = new HashMap<>(remoteEnds);
        for (LocalSegment s : segments.values()) {
            if (s.tiered()) {
                ends.computeIfPresent(s.archivePartition(), (p, end) -> Math.max(end, s.meta().nextOffset()));
            }
        }
        ends.forEach(partitions::resetTieredEnd);
    }

    synchronized boolean ready(ArchivePartition p, long nowMs) {
        return partitions.ready(p, nowMs);
    }

    synchronized void uploadSucceeded(ArchivePartition p) {
        partitions.succeeded(p);
    }

    /** Records a failed upload; returns the failures in a row and the wait before the next attempt. */
    synchronized long[] uploadFailed(ArchivePartition p, long nowMs) {
        int attempt = partitions.failed(p, nowMs);
        return new long[] {attempt, partitions.waitMs(p, nowMs)};
    }
}
