package io.tieredarchive.tier;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.remote.ArchiveEnds;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@link TieringService#archivedEnds}: where the archives of the partitions a sink task opens end in one
 * destination's store ({@link ArchiveEnds}: a few listings per incarnation), and the local segments that the store
 * no longer holds made pending again, so that what counts as archived is what the store holds now. The local
 * segments are gone through once for all the partitions, not once per partition.
 */
final class OpeningEnds {

    private static final Logger log = LoggerFactory.getLogger(OpeningEnds.class);

    private final RemoteSegmentStore store;
    private final String destination;
    private final TierState state;
    private final Function<LocalSegment, String> destinationOf;

    OpeningEnds(RemoteSegmentStore store, String destination, TierState state,
                Function<LocalSegment, String> destinationOf) {
        this.store = store;
        this.destination = destination;
        this.state = state;
        this.destinationOf = destinationOf;
    }

    Map<ArchivePartition, Long> ends(Map<ArchivePartition, ? extends Collection<SegmentMetadata>> local)
            throws SegmentException {
        Map<ArchivePartition, ArchiveEnds.End> found = new ArchiveEnds(store).of(local);
        Map<ArchivePartition, Set<String>> markers = new HashMap<>();
        Map<ArchivePartition, Long> ends = new LinkedHashMap<>();
        found.forEach((p, end) -> {
            markers.put(p, end.markers());
            ends.put(p, end.endOffset());
        });
        for (Map.Entry<ArchivePartition, List<LocalSegment>> e
                : state.tieredButNotIn(markers, destination, destinationOf).entrySet()) {
            for (LocalSegment s : e.getValue()) {
                log.warn("{}: segment {} is marked tiered locally, but {} does not hold it (was the bucket emptied "
                        + "or replaced?); uploading it again", e.getKey(), s.files(), store.location());
                try {
                    LocalTier.unmarkTiered(s.files());
                } catch (IOException ex) {
                    throw new SegmentException("Cannot mark " + s.files() + " pending again: " + ex, ex);
                }
                state.untiered(s);
            }
        }
        state.resetTieredEnds(ends);
        return ends;
    }
}
