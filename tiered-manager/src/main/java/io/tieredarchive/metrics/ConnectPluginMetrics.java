package io.tieredarchive.metrics;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.apache.kafka.connect.source.SourceTaskContext;

import java.util.LinkedHashMap;

/**
 * A task's metrics in Connect's plugin metrics (KIP-877, Connect 4.1+): tagged by Connect with the connector and
 * task, exported with the worker's metrics, removed when the task stops. Loaded only on a worker that has them
 * ({@link TaskMetrics#forSinkTask}).
 */
public final class ConnectPluginMetrics extends TaskMetrics {

    private final PluginMetrics metrics;

    public ConnectPluginMetrics(PluginMetrics metrics) {
        super(metrics::addSensor, metrics::addMetric, metrics::removeMetric, metrics::removeSensor);
        this.metrics = metrics;
    }

    static TaskMetrics of(SinkTaskContext context) {
        return new ConnectPluginMetrics(context.pluginMetrics());
    }

    static TaskMetrics of(SourceTaskContext context) {
        return new ConnectPluginMetrics(context.pluginMetrics());
    }

    @Override
    public MetricName metricName(String name, String description) {
        return metrics.metricName(name, description, new LinkedHashMap<>());
    }
}
