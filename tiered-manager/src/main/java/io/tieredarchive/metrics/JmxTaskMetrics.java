package io.tieredarchive.metrics;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A task's metrics on a worker without plugin metrics (Connect before 4.1): Kafka's public metrics classes, in one
 * registry shared by every task of this plugin copy, exported by a {@link JmxReporter} with Connect's prefix. A
 * metric is named as Connect's plugin metrics name it (group {@code plugins}, tags {@code connector} and
 * {@code task}), so its MBean is {@code kafka.connect:type=plugins,connector=<name>,task=<n>} on every worker line.
 * The worker's {@code metrics.*} settings (reporters, JMX include/exclude) do not apply to this registry.
 */
final class JmxTaskMetrics extends TaskMetrics {

    static final String JMX_PREFIX = "kafka.connect";
    static final String GROUP = "plugins";

    private static Metrics registry;

    private final Metrics metrics;
    private final Map<String, String> tags;

    private JmxTaskMetrics(Metrics metrics, Map<String, String> tags) {
        super(metrics::sensor, metrics::addMetric, metrics::removeMetric, metrics::removeSensor);
        this.metrics = metrics;
        this.tags = tags;
    }

    static TaskMetrics create(String connector, int task) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("connector", connector);
        tags.put("task", Integer.toString(task));
        return new JmxTaskMetrics(registry(), tags);
    }

    /** The MBean name the metrics of {@code task} of {@code connector} get, for the log. */
    static String objectName(String connector, int task) {
        return JMX_PREFIX + ":type=" + GROUP + ",connector=" + connector + ",task=" + task;
    }

    private static synchronized Metrics registry() {
        if (registry == null) {
            JmxReporter jmx = new JmxReporter();
            jmx.contextChange(new KafkaMetricsContext(JMX_PREFIX));
            Metrics metrics = new Metrics(new MetricConfig());
            metrics.addReporter(jmx);
            registry = metrics;
        }
        return registry;
    }

    @Override
    public MetricName metricName(String name, String description) {
        return metrics.metricName(name, GROUP, description, tags);
    }
}
