package io.tieredarchive.source;

import org.apache.kafka.connect.storage.OffsetStorageReader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Source partitions whose JSON is the same in every JVM, and the lookup of offsets stored under any field order.
 *
 * <p>Connect stores a source offset under the JSON of {@code [connector, source partition]} and finds it again by
 * comparing those bytes, so the order in which the partition map iterates its fields is part of the key. A
 * {@code Map.of} iterates in an order that is randomized per JVM: a worker, or the same worker after a restart, could
 * write {@code {"topic":..,"partition":..}} and look for {@code {"partition":..,"topic":..}}, miss the offset, and
 * start over from the beginning (every record replayed, every object copied, again). Our partitions are therefore
 * built with {@link #of} (a fixed order), and read with {@link #storedOffsets}, which also finds offsets written in
 * any other order: by an earlier version of this plugin, or by a user through the REST API
 * ({@code PATCH /connectors/<name>/offsets}).
 */
public final class SourcePartitions {

    private SourcePartitions() {
    }

    /** An unmodifiable partition map that iterates (and serializes) in the order of {@code keysAndValues}. */
    public static Map<String, Object> of(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values come in pairs");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }

    /**
     * The offsets stored for each of {@code partitions} (built with {@link #of}, all with the same keys), under
     * their own field order or any other: one {@link OffsetStorageReader#offsets} call per order (2 for two fields,
     * 24 for four). A partition without a stored offset maps to an empty list; one whose offsets were written
     * under several orders maps to all of them, its own order first, for the caller to pick the furthest.
     */
    public static Map<Map<String, Object>, List<Map<String, Object>>> storedOffsets(
            OffsetStorageReader reader, List<Map<String, Object>> partitions) {
        Map<Map<String, Object>, List<Map<String, Object>>> found = new HashMap<>();
        partitions.forEach(p -> found.put(p, new ArrayList<>()));
        if (partitions.isEmpty()) {
            return found;
        }
        for (List<String> order : orders(new ArrayList<>(partitions.get(0).keySet()))) {
            List<Map<String, Object>> reordered = new ArrayList<>(partitions.size());
            for (Map<String, Object> p : partitions) {
                reordered.add(reorder(p, order));
            }
            Map<Map<String, Object>, Map<String, Object>> stored = reader.offsets(reordered);
            for (Map<String, Object> p : partitions) {
                // Maps are equal whatever their order, so the answer is found under the partition itself.
                Map<String, Object> offset = stored == null ? null : stored.get(p);
                if (offset != null) {
                    found.get(p).add(offset);
                }
            }
        }
        return found;
    }

    private static Map<String, Object> reorder(Map<String, Object> partition, List<String> order) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String key : order) {
            map.put(key, partition.get(key));
        }
        return map;
    }

    /** Every permutation of {@code keys}, the given order first. */
    static List<List<String>> orders(List<String> keys) {
        List<List<String>> all = new ArrayList<>();
        permute(new ArrayList<>(), new ArrayList<>(keys), all);
        return all;
    }

    private static void permute(List<String> prefix, List<String> rest, List<List<String>> out) {
        if (rest.isEmpty()) {
            out.add(List.copyOf(prefix));
            return;
        }
        for (int i = 0; i < rest.size(); i++) {
            List<String> remaining = new ArrayList<>(rest);
            prefix.add(remaining.remove(i));
            permute(prefix, remaining, out);
            prefix.remove(prefix.size() - 1);
        }
    }
}
