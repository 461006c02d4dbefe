package io.tieredarchive.source.replay;

import io.tieredarchive.metrics.ConnectPluginMetrics;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;

import java.util.Map;

/** A replay's metrics on Connect's plugin metrics over a registry of the test's own, with gauges that read 0. */
final class TestReplayMetrics implements AutoCloseable {

    final Metrics registry = new Metrics();
    final ReplayMetrics replay = new ReplayMetrics(new ConnectPluginMetrics(new PluginMetricsImpl(registry, Map.of())),
            "t-", new ReplayMetrics.Gauges(() -> 0, () -> 0, () -> 0, () -> 0));

    @Override
    public void close() {
        registry.close();
    }
}
