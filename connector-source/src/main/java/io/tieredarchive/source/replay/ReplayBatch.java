package io.tieredarchive.source.replay;

import org.apache.kafka.connect.source.SourceRecord;

import java.util.ArrayList;
import java.util.List;

/** The records one poll hands to Connect, bounded by a record count and a byte size. */
public final class ReplayBatch {

    private final int maxRecords;
    private final long maxBytes;
    private final List<SourceRecord> records = new ArrayList<>();
    private long bytes;

    public ReplayBatch(int maxRecords, long maxBytes) {
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
    }

    /** Adds a record of about {@code size} bytes; a batch always takes its first record, however large. */
    public void add(SourceRecord record, int size) {
        records.add(record);
        bytes += size;
    }

    public boolean isFull() {
        return records.size() >= maxRecords || bytes >= maxBytes;
    }

    public boolean isEmpty() {
        return records.isEmpty();
    }

    public int size() {
        return records.size();
    }

    public long bytes() {
        return bytes;
    }

    public List<SourceRecord> records() {
        return records;
    }
}
