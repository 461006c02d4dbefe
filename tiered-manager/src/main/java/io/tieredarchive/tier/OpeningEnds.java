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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@link TieringService#archivedEnds}: where the archives of the partitions a sink task opens end in one
 * destination's store ({@link ArchiveEnds}: one listing per incarnation), and the local segments that the store
 * no longer holds made pending again, so that what counts as archived is what the store holds now.
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
        Map<ArchivePartition, Long> ends = new LinkedHashMap<>();
        for (Map.Entry<ArchivePartition, ArchiveEnds.End> e : new ArchiveEnds(store).of(local).entrySet()) {
            ArchivePartition p = e.getKey();
            for (LocalSegment s : state.tieredButNotIn(p, destination, destinationOf, e.getValue().markers())) {
                log.warn("{}: segment {} is marked tiered locally, but {} does not hold it (was the bucket emptied "
                        + "or replaced?); uploading it again", p, s.files(), store.location());
                try {
                    LocalTier.unmarkTiered(s.files());
                } catch (IOException ex) {
                    throw new SegmentException("Cannot mark " + s.files() + " pending again: " + ex, ex);
                }
                state.untiered(s);
            }
            long remoteEnd = e.getValue().endOffset();
            state.resetTieredEnd(p, remoteEnd);
            ends.put(p, remoteEnd);
        }
        return ends;
    }
}
