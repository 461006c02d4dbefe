package io.tieredarchive.rest;

import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.TestArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Paging the segments of a partition: every segment on some page, same-base segments together. */
class SegmentsPageTest {

    @TempDir
    Path tmp;

    private SegmentMetadata segment(long base, int count, String writer) throws Exception {
        return TestArchive.meta(TestArchive.seal(tmp.resolve(writer), "orders", 0, base, count, writer, 0, 10, 4096));
    }

    private static List<String> names(List<SegmentMetadata> segments) {
        return segments.stream().map(s -> s.baseOffset() + "/" + s.writerId()).toList();
    }

    @Test
    void pagesFollowEachOtherToTheEnd() throws Exception {
        List<SegmentMetadata> all = new ArrayList<>();
        for (long base = 0; base < 500; base += 100) {
            all.add(segment(base, 100, "w"));
        }
        SegmentsPage first = SegmentsPage.of(all, 0, 2);
        assertEquals(List.of("0/w", "100/w"), names(first.segments()));
        assertEquals(200L, first.next());
        assertEquals(List.of("200/w", "300/w"), names(SegmentsPage.of(all, 200, 2).segments()));
        SegmentsPage last = SegmentsPage.of(all, 400, 2);
        assertEquals(List.of("400/w"), names(last.segments()));
        assertNull(last.next());
        assertEquals(List.of("100/w"), names(SegmentsPage.of(all, 150, 1).segments()), "the segment holding it");
        assertEquals(List.of(), SegmentsPage.of(all, 500, 2).segments());
        assertNull(SegmentsPage.of(all, 0, SegmentsPage.MAX_LIMIT).next());
    }

    @Test
    void overlappingWritersAreNeverLeftOutNorSplitAtOneBase() throws Exception {
        // After a rebalance: writer a archived 0..149 and 150..199, writer b 100..249 over it, then 250..299.
        List<SegmentMetadata> all = new ArrayList<>(List.of(segment(0, 150, "a"), segment(100, 150, "b"),
                segment(150, 50, "a"), segment(150, 100, "c"), segment(250, 50, "b")));
        all.sort(io.tieredarchive.tier.remote.SegmentManifest.ORDER);
        for (int limit = 1; limit <= 5; limit++) {
            Set<String> seen = new LinkedHashSet<>();
            Long from = 0L;
            int pages = 0;
            while (from != null) {
                SegmentsPage page = SegmentsPage.of(all, from, limit);
                seen.addAll(names(page.segments()));
                from = page.next();
                pages++;
                if (pages > 10) {
                    throw new AssertionError("paging does not end with limit " + limit);
                }
            }
            assertEquals(names(all), List.copyOf(seen), "limit " + limit);
        }
        assertEquals(List.of("150/a", "150/c"), names(SegmentsPage.of(all, 150, 1).segments()),
                "a page never splits one base offset");
        assertEquals(List.of("0/a", "100/b"), names(SegmentsPage.of(all, 120, 5).segments().subList(0, 2)),
                "no segment starts at 120: those holding it come first");
    }
}
