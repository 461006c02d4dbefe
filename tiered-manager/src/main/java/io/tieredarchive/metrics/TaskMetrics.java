package io.tieredarchive.metrics;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Where a task registers its metrics, whatever the worker's version. On a Connect worker of 4.1 or later: Connect's
 * plugin metrics (KIP-877), which the worker exports with its own metrics and removes when the task stops
 * ({@link ConnectPluginMetrics}). On an older worker, which has no plugin metrics: a registry of the plugin's own,
 * exported as JMX MBeans under the very names Connect would use, {@code kafka.connect:type=plugins,connector=<name>,
 * task=<n>} ({@link JmxTaskMetrics}). Which one a task got is logged at INFO when it starts.
 *
 * <p>A gauge whose name a previous instance of the task still holds (a restart on the same worker before the old
 * instance has finished stopping) is left out with a warning rather than failing the task: a registry refuses a
 * second metric of a name, and a task can only remove what it registered itself. {@link #close()} removes what this
 * instance registered.
 */
public abstract class TaskMetrics implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TaskMetrics.class);

    private final List<MetricName> gauges = new ArrayList<>();
    private final List<String> sensors = new ArrayList<>();
    private final Function<String, Sensor> addSensor;
    private final BiConsumer<MetricName, Gauge<?>> addMetric;
    private final Consumer<MetricName> removeMetric;
    private final Consumer<String> removeSensor;

    /** The registry's own operations, which differ by type only: Connect's {@code PluginMetrics}, or Kafka's
     * {@code Metrics}. */
    TaskMetrics(Function<String, Sensor> addSensor, BiConsumer<MetricName, Gauge<?>> addMetric,
                Consumer<MetricName> removeMetric, Consumer<String> removeSensor) {
        this.addSensor = addSensor;
        this.addMetric = addMetric;
        this.removeMetric = removeMetric;
        this.removeSensor = removeSensor;
    }

    /** The metrics of a sink task, {@code task} of connector {@code connector}. */
    public static TaskMetrics forSinkTask(SinkTaskContext context, String connector, int task) {
        // ConnectPluginMetrics, which names PluginMetrics, is loaded only when the worker has plugin metrics.
        return usePluginMetrics(SinkTaskContext.class, connector, task)
                ? ConnectPluginMetrics.of(context) : JmxTaskMetrics.create(connector, task);
    }

    /** The metrics of a source task, {@code task} of connector {@code connector}. */
    public static TaskMetrics forSourceTask(SourceTaskContext context, String connector, int task) {
        return usePluginMetrics(SourceTaskContext.class, connector, task)
                ? ConnectPluginMetrics.of(context) : JmxTaskMetrics.create(connector, task);
    }

    /** Whether the worker's task context offers plugin metrics; says at INFO which registry the task gets. */
    private static boolean usePluginMetrics(Class<?> contextType, String connector, int task) {
        if (hasPluginMetrics(contextType)) {
            log.info("Metrics of task {} of {}: Connect's plugin metrics (KIP-877)", task, connector);
            return true;
        }
        log.info("Metrics of task {} of {}: this worker has no plugin metrics (KIP-877 needs Connect 4.1 or later); "
                + "registered as JMX MBeans of the plugin's own with the same names, {}", task, connector,
                JmxTaskMetrics.objectName(connector, task));
        return false;
    }

    static boolean hasPluginMetrics(Class<?> contextType) {
        try {
            contextType.getMethod("pluginMetrics");
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** The name of metric {@code name} of this task. */
    public abstract MetricName metricName(String name, String description);

    /** A new sensor; {@code name} must be unique in the worker (sensor names are shared by every plugin). */
    public Sensor sensor(String name) {
        Sensor sensor = addSensor.apply(name);
        sensors.add(name);
        return sensor;
    }

    /**
     * Registers {@code gauge}; when a previous instance of the task still holds the name, logs it and goes on
     * without the gauge.
     *
     * @return whether the gauge was registered
     */
    public boolean gauge(MetricName name, Gauge<?> gauge) {
        try {
            addMetric.accept(name, gauge);
        } catch (IllegalArgumentException alreadyThere) {
            log.warn("Metric {} {} is still registered by a previous instance of this task, which has not finished "
                    + "stopping; this instance runs without it until its next restart", name.name(), name.tags());
            return false;
        }
        gauges.add(name);
        return true;
    }

    /** A new sensor {@code sensor} that counts what it records, as metric {@code metric}. */
    public Sensor counter(String sensor, String metric, String description) {
        Sensor s = sensor(sensor);
        s.add(metricName(metric, description), new CumulativeCount());
        return s;
    }

    /** Registers a gauge {@code metric} that reads {@code value} (as {@link #gauge(MetricName, Gauge)}). */
    public boolean gauge(String metric, String description, LongSupplier value) {
        return gauge(metricName(metric, description), (Gauge<Long>) (config, now) -> value.getAsLong());
    }

    /** Removes every metric and sensor this instance registered. */
    @Override
    public void close() {
        try {
            gauges.forEach(removeMetric);
            sensors.forEach(removeSensor);
        } catch (RuntimeException e) { // Connect may have closed its plugin metrics first
            log.debug("Metrics already removed: {}", e.toString());
        }
        gauges.clear();
        sensors.clear();
    }
}
