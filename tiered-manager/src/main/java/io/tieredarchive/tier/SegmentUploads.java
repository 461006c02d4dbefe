package io.tieredarchive.tier;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One partition's upload in a tiering pass: its pending segments, in offset order, to one store. Each segment is
 * uploaded and proven by the store (its marker last), then marked tiered locally ({@code <base>.tiered}): it is
 * durable and visible to readers from then on. The segments that went up wait in {@link ManifestRegistrations} to
 * be registered in the partition's manifest, several in one update; they are registered here when due. The first
 * failure stops the partition there; what went up before it is still marked tiered.
 */
final class SegmentUploads {

    /** What went up (marked tiered), the bytes sent, and the failure that stopped it, if any. */
    record Result(List<LocalSegment> tiered, long bytes, Exception failure) {
    }

    private SegmentUploads() {
    }

    static Result upload(ArchivePartition p, RemoteSegmentStore store, List<LocalSegment> pending,
                         ManifestRegistrations registrations, long nowMs, boolean registerAll) {
        List<LocalSegment> tiered = new ArrayList<>();
        long bytes = 0;
        Exception failure = null;
        try {
            if (!p.incarnation().isLegacy()) {
                store.describeIncarnation(p.topic(), p.incarnation());
            }
            for (LocalSegment s : pending) {
                bytes += store.upload(s.files(), s.meta());
                LocalTier.markTiered(s.files(), store.layout().keys(s.meta()).marker());
                tiered.add(s.withTiered(true));
            }
        } catch (SegmentException | IOException | RuntimeException e) {
            failure = e;
        }
        registrations.uploaded(p, store.destination(), tiered.stream().map(LocalSegment::meta).toList(), nowMs);
        try {
            registrations.registerIfDue(p, store, nowMs, registerAll);
        } catch (SegmentException | RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        return new Result(tiered, bytes, failure);
    }
}
