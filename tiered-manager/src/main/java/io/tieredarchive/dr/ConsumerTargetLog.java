package io.tieredarchive.dr;

import io.tieredarchive.segment.ArchivedRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link PartitionLogs.Target} through a {@code read_committed} consumer of the target cluster (shared by the
 * partitions of one translation, assigned one partition at a time). Only read where offset syncs are missing.
 */
final class ConsumerTargetLog implements PartitionLogs.Target {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final Consumer<byte[], byte[]> consumer;
    private final TopicPartition tp;
    private final long start;
    private final long end;

    /** {@code start} and {@code end}: the partition's log start offset and last stable offset. */
    ConsumerTargetLog(Consumer<byte[], byte[]> consumer, TopicPartition tp, long start, long end) {
        this.consumer = consumer;
        this.tp = tp;
        this.start = start;
        this.end = end;
    }

    @Override
    public long startOffset() {
        return start;
    }

    @Override
    public long endOffset() {
        return end;
    }

    @Override
    public List<ArchivedRecord> read(long from, long toExclusive, int max) {
        long to = Math.min(toExclusive, end);
        List<ArchivedRecord> out = new ArrayList<>();
        if (from >= to || max <= 0) {
            return out;
        }
        consumer.assign(List.of(tp));
        consumer.seek(tp, Math.max(from, start));
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (consumer.position(tp) < to && out.size() < max) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Could not read " + tp + " from offset " + from + " to " + to
                        + " of the target cluster within " + READ_TIMEOUT.toSeconds() + " s (at "
                        + consumer.position(tp) + ")");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
                if (r.offset() >= to || out.size() >= max) {
                    break;
                }
                out.add(new ArchivedRecord(r.offset(), r.timestamp(), r.timestampType(), r.key(), r.value(),
                        r.headers().toArray()));
            }
        }
        return out;
    }
}
