package io.tieredarchive.dr;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a group restore would commit: for each group of the snapshots and each of its partitions, the committed
 * offset, its translation into the target, and whether it is exact. A group is applied only when every one of its
 * offsets is exact; the others are reported.
 *
 * @param atMs    the time the snapshots were chosen for (the newest at or before it)
 * @param topics  per archived topic: the snapshot used, or why there is none
 * @param entries per group and partition, ordered by group, topic, partition
 */
public record GroupRestorePlan(long atMs, List<TopicPlan> topics, List<Entry> entries) {

    /** One archived topic: its incarnation, the snapshot used ({@code snapshotAtMs}, -1 when none), its target. */
    public record TopicPlan(String topic, String incarnation, long snapshotAtMs, String targetTopic, String note) {
    }

    /** One committed offset of one group and its translation. */
    public record Entry(String group, String topic, int partition, long committed, String metadata,
                        String targetTopic, int targetPartition, Translation translation) {
    }

    public GroupRestorePlan {
        topics = List.copyOf(topics);
        entries = List.copyOf(entries);
    }

    /** Each group's entries, by group id. */
    public Map<String, List<Entry>> byGroup() {
        Map<String, List<Entry>> groups = new TreeMap<>();
        entries.forEach(e -> groups.computeIfAbsent(e.group(), g -> new ArrayList<>()).add(e));
        return groups;
    }

    /** The groups whose every offset is exact: those an apply commits. */
    public List<String> exactGroups() {
        return byGroup().entrySet().stream().filter(g -> g.getValue().stream()
                .allMatch(e -> e.translation().isExact())).map(Map.Entry::getKey).toList();
    }

    /** The groups with an offset that is not exact: never applied. */
    public List<String> inexactGroups() {
        List<String> exact = exactGroups();
        return byGroup().keySet().stream().filter(g -> !exact.contains(g)).toList();
    }

    /** Prints the plan as tab-separated columns; header and summary lines start with '#'. */
    public void print(PrintWriter out) {
        for (TopicPlan t : topics) {
            out.println("# " + t.topic() + " (incarnation " + t.incarnation() + ") -> " + t.targetTopic() + ": "
                    + (t.snapshotAtMs() < 0 ? t.note() : "group snapshot of " + Instant.ofEpochMilli(t.snapshotAtMs())
                    + (t.note().isEmpty() ? "" : "; " + t.note())));
        }
        out.println("#group\ttopic\tpartition\tcommitted\ttarget\ttargetOffset\tstatus\tnote");
        for (Entry e : entries) {
            Translation t = e.translation();
            out.println(e.group() + "\t" + e.topic() + "\t" + e.partition() + "\t" + e.committed() + "\t"
                    + e.targetTopic() + "-" + e.targetPartition() + "\t" + (t.isExact() ? t.targetOffset() : "-")
                    + "\t" + t.status().name().toLowerCase(java.util.Locale.ROOT) + "\t" + t.note());
        }
        List<String> inexact = inexactGroups();
        out.println("# " + byGroup().size() + " group(s), " + entries.size() + " offset(s): "
                + exactGroups().size() + " group(s) exact" + (inexact.isEmpty() ? "" : ", not applied: " + inexact));
    }

    /** The plan as JSON-ready maps (the REST extension's answer). */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("atMs", atMs);
        List<Map<String, Object>> topicList = new ArrayList<>();
        for (TopicPlan t : topics) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("topic", t.topic());
            m.put("incarnation", t.incarnation());
            m.put("snapshotAtMs", t.snapshotAtMs());
            m.put("targetTopic", t.targetTopic());
            m.put("note", t.note());
            topicList.add(m);
        }
        out.put("topics", topicList);
        List<Map<String, Object>> groups = new ArrayList<>();
        for (Map.Entry<String, List<Entry>> g : byGroup().entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("group", g.getKey());
            m.put("exact", g.getValue().stream().allMatch(e -> e.translation().isExact()));
            List<Map<String, Object>> offsets = new ArrayList<>();
            for (Entry e : g.getValue()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("topic", e.topic());
                o.put("partition", e.partition());
                o.put("committed", e.committed());
                o.put("targetTopic", e.targetTopic());
                o.put("targetPartition", e.targetPartition());
                o.put("targetOffset", e.translation().isExact() ? e.translation().targetOffset() : null);
                o.put("status", e.translation().status().name());
                o.put("note", e.translation().note());
                offsets.add(o);
            }
            m.put("offsets", offsets);
            groups.add(m);
        }
        out.put("groups", groups);
        return out;
    }
}
