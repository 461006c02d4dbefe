package io.tieredarchive.sink;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link SinkTaskContext} that records what the task asks of Connect (offset resets, timeouts, commit requests)
 * and gives it real plugin metrics on a private {@link Metrics} registry.
 */
final class FakeSinkTaskContext implements SinkTaskContext {

    final Map<TopicPartition, Long> offsets = new HashMap<>();
    final List<Long> timeouts = new ArrayList<>();
    final Set<TopicPartition> assignment = new HashSet<>();
    final List<SinkRecord> reported = new ArrayList<>();
    final Metrics metrics = new Metrics();
    private final PluginMetricsImpl pluginMetrics;
    boolean withReporter = true;
    int commitRequests;

    FakeSinkTaskContext() {
        pluginMetrics = new PluginMetricsImpl(metrics, new LinkedHashMap<>(Map.of("connector", "test", "task", "0")));
    }

    /** The offset resets asked for since the last call, as Connect's rewind() would apply and clear them. */
    Map<TopicPartition, Long> takeOffsets() {
        Map<TopicPartition, Long> taken = new HashMap<>(offsets);
        offsets.clear();
        return taken;
    }

    /** The current value of one of the task's metrics. */
    Object metric(String name) {
        return metrics.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("plugins"))
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name))
                .getValue().metricValue();
    }

    @Override
    public Map<String, String> configs() {
        return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
        this.offsets.putAll(offsets);
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
        offsets.put(tp, offset);
    }

    @Override
    public void timeout(long timeoutMs) {
        timeouts.add(timeoutMs);
    }

    @Override
    public Set<TopicPartition> assignment() {
        return assignment;
    }

    @Override
    public void pause(TopicPartition... partitions) {
    }

    @Override
    public void resume(TopicPartition... partitions) {
    }

    @Override
    public void requestCommit() {
        commitRequests++;
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
        if (!withReporter) {
            return null;
        }
        return (record, error) -> {
            reported.add(record);
            return CompletableFuture.completedFuture(null);
        };
    }

    @Override
    public PluginMetrics pluginMetrics() {
        return pluginMetrics;
    }
}
