package io.tieredarchive.rest;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.segment.SegmentMetadata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One page of {@code GET /tiered-archive/segments/{topic}/{partition}}, in the archive's order (base offset, then
 * writer): the segments starting at {@code fromOffset} or later, preceded, when no segment starts exactly there, by
 * those holding it; at most {@code limit} of them; and {@code next}, the {@code fromOffset} of the next page (the
 * base offset of the first segment left out), null on the last. Segments with one base offset (two writers) are
 * never split over two pages, so a page may exceed {@code limit} by those. Following {@code next} from 0 lists every
 * segment once, overlapping ones (two writers archived the same offsets after a rebalance) included.
 */
record SegmentsPage(List<SegmentMetadata> segments, Long next) {

    static final int DEFAULT_LIMIT = 1_000;
    static final int MAX_LIMIT = 10_000;

    /** The page of {@code all} (in the archive's order) from {@code fromOffset}. */
    static SegmentsPage of(List<SegmentMetadata> all, long fromOffset, int limit) {
        boolean oneStartsThere = all.stream().anyMatch(s -> s.baseOffset() == fromOffset);
        List<SegmentMetadata> page = new ArrayList<>();
        for (SegmentMetadata s : all) {
            boolean wanted = s.baseOffset() >= fromOffset || (!oneStartsThere && s.lastOffset() >= fromOffset);
            if (!wanted) {
                continue;
            }
            boolean sameBaseAsLast = !page.isEmpty() && page.get(page.size() - 1).baseOffset() == s.baseOffset();
            if (page.size() >= limit && !sameBaseAsLast) {
                return new SegmentsPage(page, s.baseOffset());
            }
            page.add(s);
        }
        return new SegmentsPage(page, null);
    }

    /** The JSON answer; each segment an object, so that fields can be added (an incarnation, say) without breaking. */
    Map<String, Object> toJson(ArchivePartition archived) {
        List<Map<String, Object>> out = new ArrayList<>(segments.size());
        for (SegmentMetadata m : segments) {
            out.add(segment(m));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("topic", archived.topic());
        answer.put("partition", archived.partition());
        answer.put("incarnation", archived.incarnation().id());
        answer.put("segments", out);
        answer.put("next", next);
        return answer;
    }

    private static Map<String, Object> segment(SegmentMetadata m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("baseOffset", m.baseOffset());
        out.put("lastOffset", m.lastOffset());
        out.put("recordCount", m.recordCount());
        out.put("firstTimestamp", m.firstTimestamp());
        out.put("maxTimestamp", m.maxTimestamp());
        out.put("codec", m.codec());
        out.put("writerId", m.writerId());
        out.put("sealedAtMs", m.sealedAtMs());
        out.put("bytes", m.log().size() + m.offsetIndex().size() + m.timeIndex().size());
        return out;
    }
}
