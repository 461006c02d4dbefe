package io.tieredarchive.source.replay;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.Incarnation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionAssignmentTest {

    private static List<ArchivePartition> partitions(String topic, int count) {
        List<ArchivePartition> l = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            l.add(ArchivePartition.legacy(topic, p));
        }
        return l;
    }

    @Test
    void everyPartitionOnceAndTasksWithinOneOfEachOther() {
        List<ArchivePartition> all = new ArrayList<>(partitions("b", 4));
        all.addAll(partitions("a", 7));
        List<List<ArchivePartition>> groups = PartitionAssignment.assign(all, 3);
        assertEquals(3, groups.size());
        Set<ArchivePartition> seen = new HashSet<>();
        groups.forEach(g -> g.forEach(tp -> assertTrue(seen.add(tp), tp + " assigned twice")));
        assertEquals(new HashSet<>(all), seen);
        int min = groups.stream().mapToInt(List::size).min().orElseThrow();
        int max = groups.stream().mapToInt(List::size).max().orElseThrow();
        assertTrue(max - min <= 1, "sizes " + groups.stream().map(List::size).toList());
        // One topic's partitions are dealt round-robin: 4 partitions over 4 tasks give one each.
        for (List<ArchivePartition> g : PartitionAssignment.assign(partitions("orders", 4), 4)) {
            assertEquals(1, g.size());
        }
    }

    @Test
    void noMoreTasksThanPartitionsAndNoneForNothing() {
        assertEquals(2, PartitionAssignment.assign(partitions("t", 2), 8).size());
        assertEquals(0, PartitionAssignment.assign(List.of(), 8).size());
        assertEquals(List.of(partitions("t", 2)), PartitionAssignment.assign(partitions("t", 2), 1));
        assertThrows(IllegalArgumentException.class, () -> PartitionAssignment.assign(partitions("t", 2), 0));
    }

    @Test
    void assignmentIsStableWhateverTheListingOrder() {
        List<ArchivePartition> all = new ArrayList<>(partitions("x", 5));
        List<ArchivePartition> reversed = new ArrayList<>(all);
        java.util.Collections.reverse(reversed);
        assertEquals(PartitionAssignment.assign(all, 2), PartitionAssignment.assign(reversed, 2));
    }

    @Test
    void encodesAndDecodes() {
        List<ArchivePartition> l = List.of(ArchivePartition.legacy("orders.v2", 0), ArchivePartition.legacy("a_b-c", 12));
        String encoded = PartitionAssignment.encode(l);
        assertEquals("orders.v2:0:legacy,a_b-c:12:legacy", encoded);
        assertEquals(l, PartitionAssignment.decode(encoded));
        assertEquals(List.of(), PartitionAssignment.decode(""));
        assertThrows(IllegalArgumentException.class, () -> PartitionAssignment.decode("orders"));
        assertThrows(IllegalArgumentException.class, () -> PartitionAssignment.decode("orders:0"));
        List<ArchivePartition> identified = List.of(new ArchivePartition("t", new Incarnation("c-1", "x_Y"), 3));
        assertEquals(identified, PartitionAssignment.decode(PartitionAssignment.encode(identified)));
    }

    @Test
    void everyIncarnationOfAPartitionGoesToOneTaskOldestFirst() {
        Incarnation first = new Incarnation("c", "first");
        Incarnation second = new Incarnation("c", "second");
        List<ArchivePartition> all = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            all.add(ArchivePartition.legacy("t", p));
            all.add(new ArchivePartition("t", first, p));
            all.add(new ArchivePartition("t", second, p));
        }
        List<List<ArchivePartition>> groups = PartitionAssignment.assign(all, 3);
        assertEquals(3, groups.size());
        for (List<ArchivePartition> g : groups) {
            for (int i = 0; i < g.size(); i += 3) {
                int partition = g.get(i).partition();
                assertEquals(List.of(ArchivePartition.legacy("t", partition), new ArchivePartition("t", first,
                        partition), new ArchivePartition("t", second, partition)), g.subList(i, i + 3));
            }
        }
    }
}
