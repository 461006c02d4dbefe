package io.tieredarchive.source.copy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartPlanTest {

    private static final long MIB = 1024L * 1024;

    @Test
    void partsCoverTheObjectExactly() {
        PartPlan plan = PartPlan.of(17 * MIB + 12345, 5 * MIB);
        assertEquals(4, plan.count());
        List<PartPlan.Part> parts = plan.parts();
        long next = 0;
        for (PartPlan.Part p : parts) {
            assertEquals(next, p.offset());
            next += p.length();
        }
        assertEquals(17 * MIB + 12345, next);
        assertEquals(2 * MIB + 12345, parts.get(3).length());
        assertEquals("bytes=0-5242879", parts.get(0).range());
        assertEquals("bytes=15728640-17838136", parts.get(3).range());
    }

    @Test
    void anExactMultipleHasNoShortPart() {
        PartPlan plan = PartPlan.of(10 * MIB, 5 * MIB);
        assertEquals(2, plan.count());
        assertEquals(5 * MIB, plan.part(2).length());
        assertThrows(IllegalArgumentException.class, () -> plan.part(3));
        assertThrows(IllegalArgumentException.class, () -> plan.part(0));
    }

    @Test
    void aHugeObjectGetsLargerPartsToStayWithinTenThousand() {
        long fiveTib = 5L * 1024 * 1024 * MIB;
        PartPlan plan = PartPlan.of(fiveTib, 8 * MIB);
        assertTrue(plan.count() <= PartPlan.MAX_PARTS, "parts " + plan.count());
        assertTrue(plan.partSize() > 8 * MIB);
        assertEquals(0, plan.partSize() % MIB, "whole MiB");
        PartPlan last = PartPlan.of(80_000 * MIB, 8 * MIB);
        assertEquals(8 * MIB, last.partSize(), "exactly 10,000 parts of 8 MiB is allowed");
        assertEquals(10_000, last.count());
    }

    @Test
    void anEmptyObjectIsOnePart() {
        assertEquals(1, PartPlan.of(0, 5 * MIB).count());
    }
}
