package io.tieredarchive.tier;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Local retention in a tiering pass: deletes the local copies {@link RetentionPolicy} chooses, each only after its
 * objects are checked again in its store (one LIST of its keys); a copy whose objects are no longer complete there is marked
 * pending again and uploaded anew. A segment whose store is not here is kept. On store or disk trouble the pass
 * stops, deleting nothing unverified.
 */
final class LocalRetention {

    private static final Logger log = LoggerFactory.getLogger(LocalRetention.class);

    /** What retention needs of the tiering service. */
    interface Tier {
        Optional<RemoteSegmentStore> storeOf(LocalSegment s);

        void untiered(LocalSegment s);

        void deleted(LocalSegment s);

        void failed(String message);
    }

    private LocalRetention() {
    }

    static void apply(List<LocalSegment> all, TieringSettings settings, long nowMs, Tier tier) {
        for (LocalSegment s : RetentionPolicy.select(all, nowMs, settings.localRetentionMs(),
                settings.localRetentionBytes())) {
            Optional<RemoteSegmentStore> store = tier.storeOf(s);
            if (store.isEmpty()) {
                continue; // cannot check it in its store now: keep it
            }
            try {
                if (!store.get().isVerified(s.files(), s.meta())) {
                    log.warn("Segment {} of {} is no longer complete in {}; keeping the local copy and uploading "
                            + "it again", s.meta().baseOffset(), s.archivePartition(), store.get().location());
                    LocalTier.unmarkTiered(s.files());
                    tier.untiered(s);
                    continue;
                }
                LocalTier.deleteFiles(s.files());
                tier.deleted(s);
                log.debug("Deleted the local copy of {} (tiered, sealed at {})", s.files(), s.meta().sealedAtMs());
            } catch (SegmentException | IOException e) {
                log.warn("Cannot apply local retention to {} now: {}", s.files(), e.getMessage());
                tier.failed(e.getMessage());
                return;
            }
        }
    }
}
