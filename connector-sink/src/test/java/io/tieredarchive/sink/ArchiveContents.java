package io.tieredarchive.sink;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentReader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Reads an archived partition back with {@link SegmentReader}: the test's view of what the sink wrote. */
public final class ArchiveContents {

    private ArchiveContents() {
    }

    /** Every record of every sealed segment in {@code partitionDir}, in segment order; unsealed ones are ignored. */
    public static List<ArchivedRecord> read(Path partitionDir) throws SegmentException {
        List<ArchivedRecord> records = new ArrayList<>();
        for (SegmentFiles files : SegmentFiles.list(partitionDir)) {
            if (!files.isSealed()) {
                continue;
            }
            try (SegmentReader reader = SegmentReader.open(files)) {
                Iterator<ArchivedRecord> it = reader.recordsFrom(files.baseOffset());
                it.forEachRemaining(records::add);
            }
        }
        return records;
    }

    /** The offsets of {@link #read}, in order. */
    public static List<Long> offsets(Path partitionDir) throws SegmentException {
        return read(partitionDir).stream().map(ArchivedRecord::offset).toList();
    }

    /** The sealed segments of {@code partitionDir}. */
    public static List<SegmentFiles> sealed(Path partitionDir) {
        return SegmentFiles.list(partitionDir).stream().filter(SegmentFiles::isSealed).toList();
    }
}
