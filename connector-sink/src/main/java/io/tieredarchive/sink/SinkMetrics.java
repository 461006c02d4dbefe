package io.tieredarchive.sink;

import io.tieredarchive.metrics.TaskMetrics;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.TieringStats;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.Meter;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The task's metrics, registered through Connect's plugin metrics (KIP-877) or, on workers before 4.1, as the
 * plugin's own MBeans of the same names ({@link TaskMetrics}): JMX group {@code kafka.connect}, type
 * {@code plugins}, tags {@code connector} and {@code task}. The list, with its meaning, is in {@code docs/sink.md};
 * the names are the constants below. They are removed when the task stops.
 *
 * <p>Sensors are named after the writer id: Kafka's metric registry is shared by every task of the worker and its
 * sensor names are global, so each task needs its own.
 */
final class SinkMetrics {

    static final String RECORDS_WRITTEN = "records-written";
    static final String RECORDS_SKIPPED = "records-skipped";
    static final String BYTES_WRITTEN = "bytes-written";
    static final String SEGMENTS_SEALED = "segments-sealed";
    static final String SEGMENTS_ABORTED_TOTAL = "segments-aborted-total";
    static final String COMPRESSION_RATIO = "compression-ratio";
    static final String ACTIVE_PARTITIONS = "active-partitions";
    static final String ASSIGNED_PARTITIONS = "assigned-partitions";
    static final String BUFFERED_BYTES = "buffered-bytes";
    static final String BUFFERED_BYTES_MAX = "buffered-bytes-max";
    static final String BUFFER_BUDGET_BYTES = "buffer-budget-bytes";
    static final String BUFFER_FORCED_FLUSHES_TOTAL = "buffer-forced-flushes-total";
    static final String TIER_LOCAL_BYTES = "tier-local-bytes";
    static final String TIER_PENDING_SEGMENTS = "tier-pending-segments";
    static final String TIER_PENDING_BYTES = "tier-pending-bytes";
    static final String TIER_UPLOADED_SEGMENTS_TOTAL = "tier-uploaded-segments-total";
    static final String TIER_UPLOADED_BYTES_TOTAL = "tier-uploaded-bytes-total";
    static final String TIER_DELETED_SEGMENTS_TOTAL = "tier-deleted-segments-total";
    static final String TIER_FAILED_ATTEMPTS_TOTAL = "tier-failed-attempts-total";
    static final String TIER_LAST_PASS_AGE_MS = "tier-last-pass-age-ms";

    private final TaskMetrics metrics;
    private final String sensorPrefix;
    private final Sensor recordsWritten;
    private final Sensor recordsSkipped;
    private final Sensor bytesWritten;
    private final Sensor segmentsSealed;
    private final Sensor segmentsAborted;
    private volatile long sealedRecordBytes;
    private volatile long sealedLogBytes;

    /**
     * Registers the metrics; the gauges read {@code budget}, the two partition counts and the stats of the tiering
     * service of the task's {@code local.dir} ({@code tiering}; shared by the tasks that write there, so each of
     * them shows the same values) when asked.
     */
    SinkMetrics(TaskMetrics metrics, String sensorPrefix, BufferBudget budget, LongSupplier activePartitions,
                LongSupplier assignedPartitions, Supplier<TieringStats> tiering, LongSupplier clock) {
        this.metrics = metrics;
        this.sensorPrefix = sensorPrefix;
        recordsWritten = meter(RECORDS_WRITTEN, "records appended to segments");
        recordsSkipped = meter(RECORDS_SKIPPED, "records delivered again that the archive already holds");
        bytesWritten = meter(BYTES_WRITTEN, "bytes of sealed .log files (compressed, on disk)");
        segmentsSealed = meter(SEGMENTS_SEALED, "segments sealed (fsynced, marker written)");
        segmentsAborted = sensor("segments-aborted");
        segmentsAborted.add(name(SEGMENTS_ABORTED_TOTAL, "active segments deleted after a write failure"),
                new CumulativeCount());
        gauge(COMPRESSION_RATIO, "record bytes / .log bytes over the segments sealed by this task",
                () -> sealedLogBytes == 0 ? Double.NaN : (double) sealedRecordBytes / sealedLogBytes);
        gauge(ACTIVE_PARTITIONS, "partitions with an active (open, non-empty) segment",
                activePartitions::getAsLong);
        gauge(ASSIGNED_PARTITIONS, "partitions assigned to this task", assignedPartitions::getAsLong);
        gauge(BUFFERED_BYTES, "record bytes held in memory in open batches now", budget::bufferedBytes);
        gauge(BUFFERED_BYTES_MAX, "the most record bytes held in memory at once since the task started",
                budget::peakBytes);
        gauge(BUFFER_BUDGET_BYTES, "the task's limit on record bytes held in memory", budget::limit);
        gauge(BUFFER_FORCED_FLUSHES_TOTAL, "batches written before they were full, to stay within the budget",
                budget::forcedFlushes);
        gauge(TIER_LOCAL_BYTES, "bytes of the sealed segments on local disk, under the task's local.dir",
                () -> tiering.get().localBytes());
        gauge(TIER_PENDING_SEGMENTS, "sealed local segments not yet verified in S3",
                () -> tiering.get().pendingSegments());
        gauge(TIER_PENDING_BYTES, "their bytes", () -> tiering.get().pendingBytes());
        gauge(TIER_UPLOADED_SEGMENTS_TOTAL, "segments uploaded, verified and registered since the service started",
                () -> tiering.get().uploadedSegments());
        gauge(TIER_UPLOADED_BYTES_TOTAL, "bytes sent for them", () -> tiering.get().uploadedBytes());
        gauge(TIER_DELETED_SEGMENTS_TOTAL, "local copies freed by local retention since the service started",
                () -> tiering.get().deletedSegments());
        gauge(TIER_FAILED_ATTEMPTS_TOTAL, "failed partition uploads, each retried with backoff",
                () -> tiering.get().failedAttempts());
        gauge(TIER_LAST_PASS_AGE_MS, "milliseconds since the last tiering pass ended (NaN before the first); "
                + "passes start every second, so a value that keeps growing means a pass is stuck", () -> {
                    long last = tiering.get().lastPassAtMs();
                    return last == 0 ? Double.NaN : clock.getAsLong() - last;
                });
    }

    void recordsWritten(int count) {
        recordsWritten.record(count);
    }

    void recordsSkipped(int count) {
        recordsSkipped.record(count);
    }

    void segmentSealed(SegmentMetadata meta, long recordBytes) {
        segmentsSealed.record();
        bytesWritten.record(meta.log().size());
        sealedRecordBytes += recordBytes;
        sealedLogBytes += meta.log().size();
    }

    void segmentAborted() {
        segmentsAborted.record();
    }

    /** Removes this task's metrics (Connect's plugin metrics also do when the task stops). */
    void close() {
        metrics.close();
    }

    private Sensor meter(String name, String what) {
        Sensor sensor = sensor(name);
        sensor.add(new Meter(name(name + "-rate", "per second: " + what), name(name + "-total", "total: " + what)));
        return sensor;
    }

    private Sensor sensor(String name) {
        return metrics.sensor(sensorPrefix + "." + name);
    }

    private void gauge(String name, String description, Supplier<Number> value) {
        metrics.gauge(name(name, description), (Gauge<Number>) (config, now) -> value.get());
    }

    private MetricName name(String name, String description) {
        return metrics.metricName(name, description);
    }
}
