package io.tieredarchive.dr;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.read.ArchiveCursor;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.remote.PartitionView;

import java.util.ArrayList;
import java.util.List;

/** {@link PartitionLogs.Archived} on the archive itself, through the restore-on-demand reader. */
final class ArchiveLog implements PartitionLogs.Archived {

    private final ArchiveReader reader;
    private final PartitionView view;

    ArchiveLog(ArchiveReader reader, PartitionView view) {
        this.reader = reader;
        this.view = view;
    }

    @Override
    public List<ArchivedRecord> read(long from, long toExclusive, int max) throws SegmentException {
        List<ArchivedRecord> out = new ArrayList<>();
        try (ArchiveCursor cursor = reader.fromOffset(view, from)) {
            while (out.size() < max) {
                ArchivedRecord r = cursor.next();
                if (r == null) {
                    if (cursor.hole().isPresent()) {
                        throw new CorruptSegmentException(reader.location() + view.archivePartition(),
                                cursor.hole().get().from(), "the archive has a hole (" + cursor.hole().get()
                                + " are in no segment, later offsets are): a segment is missing, so offsets there "
                                + "cannot be translated");
                    }
                    break;
                }
                if (toExclusive >= 0 && r.offset() >= toExclusive) {
                    break;
                }
                out.add(r);
            }
        }
        return out;
    }
}
