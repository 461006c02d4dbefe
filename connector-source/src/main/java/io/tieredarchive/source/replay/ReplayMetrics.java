package io.tieredarchive.source.replay;

import io.tieredarchive.metrics.TaskMetrics;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Rate;

import java.util.function.LongSupplier;

/**
 * A replay task's metrics, through Connect's plugin metrics (KIP-877), or the plugin's own MBeans of the same names
 * on workers before 4.1 ({@link TaskMetrics}): tagged with the connector and task, in JMX as
 * {@code kafka.connect:type=plugins,...}.
 * <ul>
 *   <li>{@code records-replayed-total}, {@code records-replayed-rate}, {@code bytes-replayed-total},
 *       {@code bytes-replayed-rate}: records handed to Connect, and their keys, values and headers in bytes;</li>
 *   <li>{@code segments-read-total}: segments opened, from any tier; {@code bytes-fetched-total}: bytes read from
 *       S3 (ranged reads and downloads into the restore cache); {@code segments-skipped-total}: corrupt or missing
 *       segments skipped under {@code errors.tolerance=all};</li>
 *   <li>{@code records-lag}: records archived in the task's range and not yet replayed, as far as the task has
 *       looked (an upper bound where offsets have gaps; unknown ends count to the end of the archive);</li>
 *   <li>{@code partitions-done}: partitions that reached the end of their range, or of the archive;</li>
 *   <li>{@code partitions-at-hole}: partitions waiting at a hole in the archive (offsets no segment in S3 covers
 *       yet, while later ones are: a writer still uploading); a replay never steps over one.</li>
 * </ul>
 */
public final class ReplayMetrics {

    private final TaskMetrics metrics;
    private final String sensorPrefix;
    private final Sensor records;
    private final Sensor bytes;
    private final Sensor segmentsSkipped;
    private final java.util.concurrent.atomic.AtomicLong atHole = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param sensorPrefix makes the sensor names unique in the worker (sensors are shared by name across plugins)
     */
    public ReplayMetrics(TaskMetrics metrics, String sensorPrefix, Gauges gauges) {
        this.metrics = metrics;
        this.sensorPrefix = sensorPrefix;
        records = metrics.sensor(sensorPrefix + "records");
        records.add(name("records-replayed-total", "Records handed to Connect"), new CumulativeSum());
        records.add(name("records-replayed-rate", "Records handed to Connect per second"), new Rate());
        bytes = metrics.sensor(sensorPrefix + "bytes");
        bytes.add(name("bytes-replayed-total", "Bytes of keys, values and headers handed to Connect"),
                new CumulativeSum());
        bytes.add(name("bytes-replayed-rate", "Bytes handed to Connect per second"), new Rate());
        segmentsSkipped = metrics.counter(sensorPrefix + "segments-skipped", "segments-skipped-total",
                "Corrupt or missing segments skipped under errors.tolerance=all");
        metrics.gauge("records-lag", "Records in range not yet replayed, as far as known", gauges.lag());
        metrics.gauge("partitions-done", "Partitions at the end of their range or of the archive",
                gauges.partitionsDone());
        metrics.gauge("segments-read-total", "Archived segments opened, from any tier", gauges.segmentsRead());
        metrics.gauge("bytes-fetched-total", "Bytes read from S3", gauges.bytesFetched());
        metrics.gauge("partitions-at-hole", "Partitions waiting at a hole in the archive", atHole::get);
    }

    /** Where the gauges read their values; called from the metrics reporter's thread. */
    public record Gauges(LongSupplier lag, LongSupplier partitionsDone, LongSupplier segmentsRead,
                         LongSupplier bytesFetched) {
    }

    public void replayed(int recordCount, long byteCount) {
        records.record(recordCount);
        bytes.record(byteCount);
    }

    /** A partition started ({@code +1}) or stopped ({@code -1}) waiting at a hole. */
    public void holeWaiting(int delta) {
        atHole.addAndGet(delta);
    }

    public void segmentSkipped() {
        segmentsSkipped.record();
    }

    private MetricName name(String metric, String description) {
        return metrics.metricName(metric, description);
    }

    /** Removes this task's metrics (Connect's plugin metrics also do when the task stops). */
    public void close() {
        metrics.close();
    }
}
