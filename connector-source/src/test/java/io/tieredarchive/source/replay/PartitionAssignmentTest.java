package io.tieredarchive.source.replay;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionAssignmentTest {

    private static List<TopicPartition> partitions(String topic, int count) {
        List<TopicPartition> l = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            l.add(new TopicPartition(topic, p));
        }
        return l;
    }

    @Test
    void everyPartitionOnceAndTasksWithinOneOfEachOther() {
        List<TopicPartition> all = new ArrayList<>(partitions("b", 4));
        all.addAll(partitions("a", 7));
        List<List<TopicPartition>> groups = PartitionAssignment.assign(all, 3);
        assertEquals(3, groups.size());
        Set<TopicPartition> seen = new HashSet<>();
        groups.forEach(g -> g.forEach(tp -> assertTrue(seen.add(tp), tp + " assigned twice")));
        assertEquals(new HashSet<>(all), seen);
        int min = groups.stream().mapToInt(List::size).min().orElseThrow();
        int max = groups.stream().mapToInt(List::size).max().orElseThrow();
        assertTrue(max - min <= 1, "sizes " + groups.stream().map(List::size).toList());
        // One topic's partitions are dealt round-robin: 4 partitions over 4 tasks give one each.
        for (List<TopicPartition> g : PartitionAssignment.assign(partitions("orders", 4), 4)) {
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
        List<TopicPartition> all = new ArrayList<>(partitions("x", 5));
        List<TopicPartition> reversed = new ArrayList<>(all);
        java.util.Collections.reverse(reversed);
        assertEquals(PartitionAssignment.assign(all, 2), PartitionAssignment.assign(reversed, 2));
    }

    @Test
    void encodesAndDecodes() {
        List<TopicPartition> l = List.of(new TopicPartition("orders.v2", 0), new TopicPartition("a_b-c", 12));
        String encoded = PartitionAssignment.encode(l);
        assertEquals("orders.v2:0,a_b-c:12", encoded);
        assertEquals(l, PartitionAssignment.decode(encoded));
        assertEquals(List.of(), PartitionAssignment.decode(""));
        assertThrows(IllegalArgumentException.class, () -> PartitionAssignment.decode("orders"));
    }
}
