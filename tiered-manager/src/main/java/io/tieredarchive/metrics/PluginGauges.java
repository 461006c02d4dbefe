package io.tieredarchive.metrics;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a task's gauges in Connect's plugin metrics (KIP-877) so that a task never fails to start over them.
 *
 * <p>A task's metrics are named by connector and task id only, and Connect removes them when that task instance has
 * finished stopping. When a task is restarted on the same worker before its previous instance has finished (a
 * rebalance after a worker died: the old instance is still stopping, or was abandoned after
 * {@code task.shutdown.graceful.timeout.ms}), {@link PluginMetrics#addMetric} throws "already exists" and the new
 * task would fail. A plugin's metrics can only remove what they registered themselves, so the new instance cannot
 * take the name over: it goes without that gauge (the old one keeps answering until its instance is closed, then
 * the name is free again at the next restart). A missing gauge is better than a failed task.
 */
public final class PluginGauges {

    private static final Logger log = LoggerFactory.getLogger(PluginGauges.class);

    private PluginGauges() {
    }

    /**
     * Adds {@code gauge} under {@code name}; when a previous instance of the task still holds that name, logs it and
     * goes on without the gauge.
     *
     * @return whether the gauge was registered
     */
    public static boolean register(PluginMetrics metrics, MetricName name, Gauge<?> gauge) {
        try {
            metrics.addMetric(name, gauge);
            return true;
        } catch (IllegalArgumentException alreadyThere) {
            log.warn("Metric {} {} is still registered by a previous instance of this task, which has not finished "
                    + "stopping; this instance runs without it until its next restart", name.name(), name.tags());
            return false;
        }
    }
}
