package io.tieredarchive.source.testing;

import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a source task as a worker does, for unit tests: with Kafka's own plugin metrics and the source offsets
 * stored before the task started (what Connect's offset topic would hold), polling until it has nothing more.
 */
public final class SourceTaskRuns {

    /** Polls in a row that return nothing before a task counts as idle. */
    private static final int IDLE_POLLS = 3;

    private SourceTaskRuns() {
    }

    /** Polls {@code task} until {@value #IDLE_POLLS} polls in a row return nothing; returns what it polled. */
    public static List<SourceRecord> pollUntilIdle(SourceTask task) throws InterruptedException {
        List<SourceRecord> all = new ArrayList<>();
        int empty = 0;
        while (empty < IDLE_POLLS) {
            List<SourceRecord> batch = task.poll();
            if (batch == null || batch.isEmpty()) {
                empty++;
            } else {
                all.addAll(batch);
                empty = 0;
            }
        }
        return all;
    }

    /** A context whose offset reader answers from {@code stored}, by source partition. */
    public static SourceTaskContext context(PluginMetrics metrics, Map<Map<String, Object>, Map<String, Object>> stored) {
        OffsetStorageReader reader = new OffsetStorageReader() {
            @Override
            public <T> Map<String, Object> offset(Map<String, T> partition) {
                return stored.get(new HashMap<String, Object>(partition));
            }

            @Override
            public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                Map<Map<String, T>, Map<String, Object>> out = new HashMap<>();
                for (Map<String, T> p : partitions) {
                    Map<String, Object> o = stored.get(new HashMap<String, Object>(p));
                    if (o != null) {
                        out.put(p, o);
                    }
                }
                return out;
            }
        };
        return new SourceTaskContext() {
            @Override
            public Map<String, String> configs() {
                return Map.of();
            }

            @Override
            public OffsetStorageReader offsetStorageReader() {
                return reader;
            }

            @Override
            public PluginMetrics pluginMetrics() {
                return metrics;
            }
        };
    }
}
