package io.tieredarchive.source.replay;

import io.tieredarchive.dr.OffsetSync;
import io.tieredarchive.tier.remote.ArchivePartition;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Records where a replay task's records landed, as runs ({@link OffsetSync}), from Connect's
 * {@code commitRecord(record, metadata)}: called once a record is in the target for good (with exactly-once, after its
 * transaction committed), in the order the records were produced. A run grows while each record lands at the target
 * offset after the previous one; an exactly-once commit marker, a record of another task, or a record dropped by a
 * transform ends it. {@link #flush} (from the task's {@code commit()}, after every transaction with exactly-once)
 * writes the runs that are new or grew since the last flush to the offset syncs topic of the target cluster, and
 * waits for them; a run is written again, under the same key, as it grows.
 *
 * <p>Syncs a task could not write (it died first) are not lost for good: the translation matches the target's own
 * records with the archive's where syncs are missing ({@code PartitionTranslator}).
 */
public final class OffsetSyncRecorder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OffsetSyncRecorder.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String writer;
    private final Map<Map<String, Object>, ArchivePartition> partitions = new HashMap<>();
    private final Function<String, String> topicIds;
    private final LongSupplier clock;
    /** The run each archived partition is in; guarded by {@code this}. */
    private final Map<ArchivePartition, Run> open = new HashMap<>();
    /** Runs ended and not written yet; guarded by {@code this}. */
    private final List<Run> ended = new ArrayList<>();
    private final AtomicLong failedSends = new AtomicLong();

    /**
     * @param topicIds the topic id of a target topic, or null when it cannot be told now (its runs then wait)
     */
    public OffsetSyncRecorder(Producer<byte[], byte[]> producer, String topic, String writer,
                              List<ArchivePartition> assigned, Function<String, String> topicIds,
                              LongSupplier clock) {
        this.producer = producer;
        this.topic = topic;
        this.writer = writer;
        this.topicIds = topicIds;
        this.clock = clock;
        assigned.forEach(p -> partitions.put(ReplayRecords.sourcePartition(p), p));
    }

    /** A record of this task is in the target at {@code metadata} (null: dropped by a transform, not written). */
    public synchronized void recorded(SourceRecord record, RecordMetadata metadata) {
        ArchivePartition p = partitions.get(record.sourcePartition());
        Long next = p == null ? null : ReplayRecords.nextOffset(record.sourceOffset());
        if (next == null) {
            return;
        }
        long original = next - 1;
        Run run = open.get(p);
        if (metadata == null || !metadata.hasOffset()) {
            end(p);
            return;
        }
        if (run != null && run.extendedBy(metadata, original)) {
            run.count++;
            run.originalLast = original;
            run.dirty = true;
            return;
        }
        end(p);
        open.put(p, new Run(p, metadata.topic(), metadata.partition(), original, metadata.offset()));
    }

    private void end(ArchivePartition p) {
        Run run = open.remove(p);
        if (run != null && run.dirty) {
            ended.add(run);
        }
    }

    /** Writes the runs that are new or grew, and waits until the target cluster has them. */
    public void flush() {
        List<Run> toWrite = new ArrayList<>();
        synchronized (this) { // copies: without exactly-once, records are recorded on the producer's thread
            ended.forEach(r -> toWrite.add(r.copy()));
            ended.clear();
            open.values().stream().filter(r -> r.dirty).forEach(r -> toWrite.add(r.copy()));
            open.values().forEach(r -> r.dirty = false);
        }
        if (toWrite.isEmpty()) {
            return;
        }
        List<Run> waiting = new ArrayList<>();
        for (Run run : toWrite) {
            String id = topicIds.apply(run.targetTopic);
            if (id == null) {
                waiting.add(run);
                continue;
            }
            OffsetSync sync = run.toSync(id, clock.getAsLong(), writer);
            producer.send(new ProducerRecord<>(topic, sync.key(), sync.value()), (m, e) -> {
                if (e != null && failedSends.getAndIncrement() % 1000 == 0) {
                    log.warn("Could not write offset syncs to {} ({} failures so far): {}; a group restore will "
                            + "match the target's records where syncs are missing", topic, failedSends.get(),
                            e.toString());
                }
            });
        }
        producer.flush();
        if (!waiting.isEmpty()) {
            synchronized (this) {
                ended.addAll(waiting);
            }
            log.debug("{} offset sync run(s) wait until the target topic's id can be read", waiting.size());
        }
    }

    /** Writes what is left and closes the producer. */
    @Override
    public void close() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("Could not write the last offset syncs to {}: {}", topic, e.toString());
        } finally {
            producer.close(Duration.ofSeconds(10));
        }
    }

    private static final class Run {
        final ArchivePartition archived;
        final String targetTopic;
        final int targetPartition;
        final long originalFirst;
        final long targetFirst;
        long originalLast;
        long count = 1;
        boolean dirty = true;

        Run(ArchivePartition archived, String targetTopic, int targetPartition, long original, long target) {
            this.archived = archived;
            this.targetTopic = targetTopic;
            this.targetPartition = targetPartition;
            this.originalFirst = original;
            this.originalLast = original;
            this.targetFirst = target;
        }

        Run copy() {
            Run c = new Run(archived, targetTopic, targetPartition, originalFirst, targetFirst);
            c.originalLast = originalLast;
            c.count = count;
            return c;
        }

        boolean extendedBy(RecordMetadata m, long original) {
            return m.topic().equals(targetTopic) && m.partition() == targetPartition
                    && m.offset() == targetFirst + count && original > originalLast;
        }

        OffsetSync toSync(String targetTopicId, long nowMs, String writer) {
            return new OffsetSync(archived.topic(), archived.incarnation().id(), archived.partition(), targetTopic,
                    targetTopicId, targetPartition, originalFirst, originalLast, targetFirst, count, nowMs, writer);
        }
    }
}
