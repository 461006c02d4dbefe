package io.tieredarchive.tier;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One partition's upload in a tiering pass: its pending segments, in offset order, to one store. Each segment is
 * uploaded and verified, then all that went up are registered in the partition's manifest together, and marked
 * tiered locally ({@code <base>.tiered}). The first failure stops the partition there; what went up before it is
 * still registered.
 */
final class SegmentUploads {

    /** What went up (registered and marked tiered), the bytes sent, and the failure that stopped it, if any. */
    record Result(List<LocalSegment> tiered, long bytes, Exception failure) {
    }

    private SegmentUploads() {
    }

    static Result upload(ArchivePartition p, RemoteSegmentStore store, List<LocalSegment> pending) {
        List<LocalSegment> uploaded = new ArrayList<>();
        long bytes = 0;
        Exception failure = null;
        try {
            if (!p.incarnation().isLegacy()) {
                store.describeIncarnation(p.topic(), p.incarnation());
            }
            for (LocalSegment s : pending) {
                bytes += store.upload(s.files(), s.meta());
                uploaded.add(s);
            }
        } catch (SegmentException | RuntimeException e) {
            failure = e;
        }
        List<LocalSegment> tiered = new ArrayList<>();
        try {
            if (!uploaded.isEmpty()) {
                store.register(p, uploaded.stream().map(LocalSegment::meta).toList());
                for (LocalSegment s : uploaded) {
                    LocalTier.markTiered(s.files(), store.layout().keys(s.meta()).marker());
                    tiered.add(s.withTiered(true));
                }
            }
        } catch (SegmentException | IOException | RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        return new Result(tiered, bytes, failure);
    }
}
