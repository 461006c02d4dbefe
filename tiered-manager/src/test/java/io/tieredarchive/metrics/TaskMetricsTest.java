package io.tieredarchive.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;

class TaskMetricsTest {

    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    /**
     * Two instances of one task on one worker, as after a quick restart: Kafka's plugin metrics refuse the second
     * gauge of a name with an exception that would fail the new task; TaskMetrics goes on without it.
     */
    @Test
    void aGaugeStillHeldByAPreviousTaskInstanceIsNotFatal() throws Exception {
        try (Metrics metrics = new Metrics()) {
            Map<String, String> tags = Map.of("connector", "replay", "task", "0");
            PluginMetricsImpl previousPlugin = new PluginMetricsImpl(metrics, tags);
            TaskMetrics previous = new ConnectPluginMetrics(previousPlugin);
            TaskMetrics next = new ConnectPluginMetrics(new PluginMetricsImpl(metrics, tags));
            MetricName name = previous.metricName("records-lag", "lag");
            assertTrue(previous.gauge(name, (Gauge<Long>) (config, now) -> 1L));

            assertThrows(IllegalArgumentException.class, () -> new PluginMetricsImpl(metrics, tags)
                    .addMetric(name, (Gauge<Long>) (config, now) -> 2L), "what Kafka does on its own");
            assertFalse(next.gauge(name, (Gauge<Long>) (config, now) -> 2L));

            assertEquals(1L, metrics.metric(name).metricValue(), "the previous instance's gauge, until it closes");
            previous.close();
            assertTrue(next.gauge(name, (Gauge<Long>) (config, now) -> 2L), "free again");
            next.close();
        }
    }

    /**
     * On a worker without plugin metrics the task's metrics are MBeans of the plugin's own, under the name Connect's
     * plugin metrics give them on 4.1+ workers (checked against Connect's own naming: a JMX-reported registry with
     * the prefix and tags ConnectMetrics uses), and closing removes them.
     */
    @Test
    void withoutPluginMetricsTheMetricsAreMBeansOfTheNameConnectGives() throws Exception {
        ObjectName expected = new ObjectName("kafka.connect:type=plugins,connector=compat-sink,task=3");
        assertEquals(expected.toString(), JmxTaskMetrics.objectName("compat-sink", 3));
        assertConnectNames(expected, "compat-sink-naming", 3);

        TaskMetrics metrics = JmxTaskMetrics.create("compat-sink", 3);
        Sensor written = metrics.sensor("compat-sink-3.records");
        written.add(metrics.metricName("records-written-total", "records"), new CumulativeCount());
        assertTrue(metrics.gauge(metrics.metricName("buffered-bytes", "bytes"), (Gauge<Long>) (config, now) -> 42L));
        written.record(5);
        written.record(2);

        assertEquals(2.0, ((Number) JMX.getAttribute(expected, "records-written-total")).doubleValue());
        assertEquals(42L, ((Number) JMX.getAttribute(expected, "buffered-bytes")).longValue());

        TaskMetrics restarted = JmxTaskMetrics.create("compat-sink", 3);
        assertFalse(restarted.gauge(restarted.metricName("buffered-bytes", "bytes"), (Gauge<Long>) (c, n) -> 1L),
                "held by the previous instance");
        metrics.close();
        assertTrue(restarted.gauge(restarted.metricName("buffered-bytes", "bytes"), (Gauge<Long>) (c, n) -> 1L));
        restarted.close();
        assertFalse(JMX.isRegistered(expected), "closed: no MBean left");
    }

    /** A plugin metric registered as a Connect 4.1+ worker does it (ConnectMetrics: prefix, tags) is that MBean. */
    private static void assertConnectNames(ObjectName expected, String connector, int task) throws Exception {
        ObjectName connects = new ObjectName(expected.toString().replace("compat-sink", connector));
        try (Metrics worker = new Metrics(new MetricConfig(), List.of(new JmxReporter()), Time.SYSTEM,
                new KafkaMetricsContext("kafka.connect"))) {
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put("connector", connector);
            tags.put("task", Integer.toString(task));
            PluginMetricsImpl plugin = new PluginMetricsImpl(worker, tags);
            plugin.addMetric(plugin.metricName("probe", "", new LinkedHashMap<>()), (Gauge<Long>) (c, n) -> 0L);
            assertTrue(JMX.isRegistered(connects), JMX.queryNames(new ObjectName("kafka.connect:*"), null).toString());
            plugin.close();
        }
    }

    @Test
    void pluginMetricsAreUsedWhereTheTaskContextOffersThem() {
        assertTrue(TaskMetrics.hasPluginMetrics(SinkTaskContext.class), "Connect 4.1+ API on the test classpath");
        assertTrue(TaskMetrics.hasPluginMetrics(SourceTaskContext.class));
        assertFalse(TaskMetrics.hasPluginMetrics(OldSinkTaskContext.class));
    }

    /** A task context as Connect 3.x and 4.0 have it: no pluginMetrics(). */
    private interface OldSinkTaskContext {
        Map<String, String> configs();
    }
}
