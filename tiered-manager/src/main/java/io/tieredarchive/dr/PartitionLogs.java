package io.tieredarchive.dr;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;

import java.util.Arrays;
import java.util.List;

/** The two logs a translation compares: the archive of a partition, and the target partition it was replayed into. */
public final class PartitionLogs {

    private PartitionLogs() {
    }

    /** The archived records of one partition. */
    @FunctionalInterface
    public interface Archived {
        /**
         * The archived records with {@code from <= offset < toExclusive} ({@code toExclusive} -1: no bound), in
         * offset order, at most {@code max} of them.
         *
         * @throws SegmentException when the archive cannot be read there, or has a hole (a missing segment) before
         *                          the records asked for end: a translation never takes a hole for the end
         */
        List<ArchivedRecord> read(long from, long toExclusive, int max) throws SegmentException;
    }

    /** The committed records of one target partition, as a {@code read_committed} consumer reads them. */
    public interface Target {
        /** The partition's log start offset. */
        long startOffset();

        /** The end of what is committed (the last stable offset). */
        long endOffset();

        /**
         * The committed records (transaction markers and aborted records left out) with
         * {@code from <= offset < toExclusive}, in order, at most {@code max}; each {@link ArchivedRecord#offset()}
         * is its offset in the target.
         */
        List<ArchivedRecord> read(long from, long toExclusive, int max);
    }

    /**
     * True when a target record is the replay of an archived one: the same key, value and headers, and the same
     * timestamp unless the target stamps its own ({@code LogAppendTime}) or the archived record had none.
     */
    public static boolean sameRecord(ArchivedRecord archived, ArchivedRecord target) {
        if (!Arrays.equals(archived.key(), target.key()) || !Arrays.equals(archived.value(), target.value())) {
            return false;
        }
        boolean stamped = target.timestampType() == TimestampType.LOG_APPEND_TIME || archived.timestamp() < 0
                || archived.timestampType() == TimestampType.NO_TIMESTAMP_TYPE;
        if (!stamped && archived.timestamp() != target.timestamp()) {
            return false;
        }
        Header[] a = archived.headers();
        Header[] t = target.headers();
        if (a.length != t.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!a[i].key().equals(t[i].key()) || !Arrays.equals(a[i].value(), t[i].value())) {
                return false;
            }
        }
        return true;
    }
}
