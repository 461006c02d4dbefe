package io.tieredarchive.tier;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which local copies may go: only tiered ones (uploaded and proven by the store), those sealed longer ago than
 * {@code local.retention.ms}, then, while the sealed bytes on disk exceed {@code local.retention.bytes}, the
 * oldest remaining tiered ones. A segment not yet tiered is never chosen, even when the disk is over its cap.
 */
final class RetentionPolicy {

    static final Comparator<LocalSegment> OLDEST_FIRST = Comparator
            .comparingLong((LocalSegment s) -> s.meta().sealedAtMs())
            .thenComparing(s -> s.meta().topic())
            .thenComparingInt(s -> s.meta().partition())
            .thenComparingLong(s -> s.meta().baseOffset());

    private RetentionPolicy() {
    }

    /** The local copies to delete now, oldest first. */
    static List<LocalSegment> select(List<LocalSegment> local, long nowMs, long retentionMs, long retentionBytes) {
        List<LocalSegment> tiered = local.stream().filter(LocalSegment::tiered).sorted(OLDEST_FIRST).toList();
        Set<LocalSegment> chosen = new LinkedHashSet<>();
        if (retentionMs >= 0) {
            for (LocalSegment s : tiered) {
                if (s.meta().sealedAtMs() + retentionMs <= nowMs) {
                    chosen.add(s);
                }
            }
        }
        if (retentionBytes >= 0) {
            long remaining = local.stream().mapToLong(LocalSegment::bytes).sum()
                    - chosen.stream().mapToLong(LocalSegment::bytes).sum();
            for (LocalSegment s : tiered) {
                if (remaining <= retentionBytes) {
                    break;
                }
                if (chosen.add(s)) {
                    remaining -= s.bytes();
                }
            }
        }
        List<LocalSegment> ordered = new ArrayList<>(chosen);
        ordered.sort(OLDEST_FIRST);
        return ordered;
    }
}
