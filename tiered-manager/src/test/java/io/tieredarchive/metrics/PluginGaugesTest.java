package io.tieredarchive.metrics;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances of one task on one worker, as after a quick restart: Kafka's plugin metrics refuse the second
 * gauge of a name with an exception that would fail the new task; {@link PluginGauges} goes on without it.
 */
class PluginGaugesTest {

    @Test
    void aGaugeStillHeldByAPreviousTaskInstanceIsNotFatal() throws Exception {
        try (Metrics metrics = new Metrics()) {
            Map<String, String> tags = Map.of("connector", "replay", "task", "0");
            PluginMetricsImpl previous = new PluginMetricsImpl(metrics, tags);
            PluginMetricsImpl next = new PluginMetricsImpl(metrics, tags);
            MetricName name = previous.metricName("records-lag", "lag", new LinkedHashMap<>());
            assertTrue(PluginGauges.register(previous, name, (Gauge<Long>) (config, now) -> 1L));

            assertThrows(IllegalArgumentException.class,
                    () -> next.addMetric(name, (Gauge<Long>) (config, now) -> 2L), "what Kafka does on its own");
            assertFalse(PluginGauges.register(next, name, (Gauge<Long>) (config, now) -> 2L));

            assertEquals(1L, metrics.metric(name).metricValue(), "the previous instance's gauge, until it closes");
            previous.close();
            assertTrue(PluginGauges.register(next, name, (Gauge<Long>) (config, now) -> 2L), "free again");
            next.close();
        }
    }
}
