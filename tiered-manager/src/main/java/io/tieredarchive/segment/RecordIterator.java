package io.tieredarchive.segment;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Predicate;

/**
 * Iterates the records of a {@code .log} from a batch position to the end, skipping records until the first one
 * that {@code start} accepts and returning every record from there on. Each batch is CRC-checked before any of its
 * records is returned; record offsets must ascend within the batch's range. At the end of the log the last offset
 * must be the marker's. Corruption surfaces as {@link UncheckedSegmentException}.
 */
final class RecordIterator implements Iterator<ArchivedRecord> {

    private final LogScanner scanner;
    private final long expectedLastOffset;
    private Predicate<ArchivedRecord> start;
    private long position;
    private long previousLastOffset;
    private BatchHeader header;
    private Iterator<Record> records;
    private TimestampType batchType;
    private long previousOffset;
    private ArchivedRecord next;
    private boolean done;
    private int batchesRead;

    RecordIterator(LogScanner scanner, long position, long baseOffset, long expectedLastOffset,
                   Predicate<ArchivedRecord> start) {
        this.scanner = scanner;
        this.position = position;
        this.previousLastOffset = baseOffset - 1;
        this.expectedLastOffset = expectedLastOffset;
        this.start = start;
        this.done = position < 0;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            try {
                next = advance();
            } catch (SegmentException e) {
                done = true;
                throw new UncheckedSegmentException(e);
            }
        }
        return next != null;
    }

    @Override
    public ArchivedRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ArchivedRecord result = next;
        next = null;
        return result;
    }

    private ArchivedRecord advance() throws SegmentException {
        while (true) {
            while (records != null && records.hasNext()) {
                ArchivedRecord record = convert(nextRecord());
                if (start == null || start.test(record)) {
                    start = null;
                    return record;
                }
            }
            if (!openNextBatch()) {
                done = true;
                return null;
            }
        }
    }

    private boolean openNextBatch() throws SegmentException {
        header = scanner.header(position, previousLastOffset);
        if (header == null) {
            if (batchesRead > 0 && previousLastOffset != expectedLastOffset) {
                throw new CorruptSegmentException(scanner.name(), position, "the log ends after offset "
                        + previousLastOffset + " but its marker says the last offset is " + expectedLastOffset);
            }
            return false;
        }
        MutableRecordBatch batch = scanner.batch(header);
        try {
            records = batch.iterator();
        } catch (KafkaException e) {
            throw scanner.corrupt(header, "cannot decode its records: " + e.getMessage(), e);
        }
        batchType = batch.timestampType();
        previousOffset = header.baseOffset() - 1;
        previousLastOffset = header.lastOffset();
        position = header.nextPosition();
        batchesRead++;
        return true;
    }

    private Record nextRecord() throws SegmentException {
        Record record;
        try {
            record = records.next();
        } catch (KafkaException e) {
            throw scanner.corrupt(header, "cannot decode a record after offset " + previousOffset + ": "
                    + e.getMessage(), e);
        }
        if (record.offset() <= previousOffset || record.offset() > header.lastOffset()) {
            throw scanner.corrupt(header, "record offset " + record.offset() + " is out of order (previous "
                    + previousOffset + ", batch ends at " + header.lastOffset() + ")", null);
        }
        previousOffset = record.offset();
        return record;
    }

    /** Copies everything out of the batch's buffer, which the next read reuses. */
    private ArchivedRecord convert(Record record) {
        Header[] source = record.headers();
        Header[] headers = new Header[source.length];
        for (int i = 0; i < source.length; i++) {
            headers[i] = new RecordHeader(source[i].key(), source[i].value());
        }
        TimestampType type = batchType;
        if (type == TimestampType.CREATE_TIME && record.timestamp() == RecordBatch.NO_TIMESTAMP) {
            type = TimestampType.NO_TIMESTAMP_TYPE; // how the writer stores a record that had no timestamp
        }
        return new ArchivedRecord(record.offset(), record.timestamp(), type, Utils.toNullableArray(record.key()),
                Utils.toNullableArray(record.value()), headers);
    }
}
