package io.tieredarchive.segment;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Predicate;

/**
 * Iterates the records of a {@code .log} from a batch position to the end, skipping records until the first one
 * that {@code start} accepts and returning every record from there on. Each batch is CRC-checked and decoded whole
 * ({@link BatchRecords}) before any of its records is returned; record offsets must ascend within the batch's range. At the end of the log the last offset
 * must be the marker's. Corruption surfaces as {@link UncheckedSegmentException}.
 */
final class RecordIterator implements Iterator<ArchivedRecord> {

    private final LogScanner scanner;
    private final long expectedLastOffset;
    private final BatchRecords records;
    private Predicate<ArchivedRecord> start;
    private long position;
    private long previousLastOffset;
    private BatchHeader header;
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
        this.records = new BatchRecords(scanner);
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
            while (header != null && records.hasNext()) {
                ArchivedRecord record = nextRecord();
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
        records.open(header, scanner.batch(header));
        previousOffset = header.baseOffset() - 1;
        previousLastOffset = header.lastOffset();
        position = header.nextPosition();
        batchesRead++;
        return true;
    }

    private ArchivedRecord nextRecord() throws SegmentException {
        ArchivedRecord record = records.next();
        if (record.offset() <= previousOffset || record.offset() > header.lastOffset()) {
            throw scanner.corrupt(header, "record offset " + record.offset() + " is out of order (previous "
                    + previousOffset + ", batch ends at " + header.lastOffset() + ")", null);
        }
        previousOffset = record.offset();
        return record;
    }
}
