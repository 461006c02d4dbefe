package io.tieredarchive.source.copy;

import io.tieredarchive.metrics.TaskMetrics;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.metrics.stats.Rate;


/**
 * The copy's metrics, through Connect's plugin metrics (KIP-877), or the plugin's own MBeans of the same names on
 * workers before 4.1 ({@link TaskMetrics}): tagged with the connector and task, in JMX as
 * {@code kafka.connect:type=plugins,...}.
 * <ul>
 *   <li>{@code objects-copied-total}, {@code objects-copied-rate}, {@code bytes-copied-total},
 *       {@code bytes-copied-rate} (throughput, bytes per second);</li>
 *   <li>{@code requests-per-object-avg}, {@code requests-per-object-max};</li>
 *   <li>{@code fallbacks-total} (server-side copies refused and streamed instead), {@code objects-skipped-total},
 *       {@code objects-failed-total}, {@code retries-total} (objects tried again after a transient failure);</li>
 *   <li>{@code stream-buffer-limit-bytes}, {@code stream-buffer-peak-bytes}, {@code stream-buffer-leased-bytes-total},
 *       {@code stream-buffer-allocated-bytes}: the {@link PartBufferPool}'s bound and accounting (the heap of
 *       the buffers, the SDK's share of their requests and the task's own share).</li>
 * </ul>
 */
public final class CopyMetrics {

    private final TaskMetrics metrics;
    private final String sensorPrefix;
    private final Sensor objects;
    private final Sensor bytes;
    private final Sensor requests;
    private final Sensor fallbacks;
    private final Sensor skipped;
    private final Sensor failed;
    private final Sensor retries;

    /**
     * @param sensorPrefix makes the sensor names unique in the worker (sensors are shared by name across plugins)
     */
    public CopyMetrics(TaskMetrics metrics, String sensorPrefix, PartBufferPool pool) {
        this.metrics = metrics;
        this.sensorPrefix = sensorPrefix;
        objects = metrics.sensor(sensorPrefix + "objects");
        objects.add(name("objects-copied-total", "Objects copied and verified"), new CumulativeCount());
        objects.add(name("objects-copied-rate", "Objects copied per second"), new Rate());
        bytes = metrics.sensor(sensorPrefix + "bytes");
        bytes.add(name("bytes-copied-total", "Bytes of the objects copied"), new CumulativeSum());
        bytes.add(name("bytes-copied-rate", "Throughput: bytes copied per second"), new Rate());
        requests = metrics.sensor(sensorPrefix + "requests");
        requests.add(name("requests-per-object-avg", "S3 requests per object, on average"), new Avg());
        requests.add(name("requests-per-object-max", "S3 requests per object, at most"), new Max());
        fallbacks = metrics.counter(sensorPrefix + "fallbacks", "fallbacks-total", "Server-side copies refused and streamed instead");
        skipped = metrics.counter(sensorPrefix + "skipped", "objects-skipped-total", "Objects already at the destination");
        failed = metrics.counter(sensorPrefix + "failed", "objects-failed-total", "Objects not copied (gone, rejected), with a failed event");
        retries = metrics.counter(sensorPrefix + "retries", "retries-total", "Objects tried again after a transient failure");
        metrics.gauge("stream-buffer-limit-bytes", "Most heap the stream copies may hold", pool::limitBytes);
        metrics.gauge("stream-buffer-peak-bytes", "Most heap the stream copies held at once: buffers, the SDK's share of "
                + "their requests, the task's clients", pool::peakLeasedBytes);
        metrics.gauge("stream-buffer-leased-bytes-total", "Bytes that passed through the stream buffers",
                pool::leasedBytesTotal);
        metrics.gauge("stream-buffer-allocated-bytes", "Heap held by the buffers of the stream copies in flight",
                pool::allocatedBytes);
    }

    public void record(CopyResult result) {
        switch (result.status()) {
            case COPIED -> {
                objects.record();
                bytes.record(result.size());
                if (result.fallback() != null) {
                    fallbacks.record();
                }
            }
            case SKIPPED -> skipped.record();
            case FAILED -> failed.record();
            default -> throw new IllegalStateException("No metric for copy status " + result.status());
        }
        requests.record(result.requests());
    }

    public void retried() {
        retries.record();
    }

    private MetricName name(String metric, String description) {
        return metrics.metricName(metric, description);
    }

    /** Removes this task's metrics (Connect's plugin metrics also do when the task stops). */
    public void close() {
        metrics.close();
    }
}
