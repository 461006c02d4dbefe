package io.tieredarchive.tier.read;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteLayout;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.remote.SegmentManifest;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentMetadata.FileInfo;
import io.tieredarchive.segment.SegmentReader;
import io.tieredarchive.segment.UncheckedSegmentException;
import io.tieredarchive.tier.remote.RemoteLayout.SegmentKeys;
import io.tieredarchive.tier.storage.ObjectInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks one partition of the archive: every marker's three files are there with the marker's sizes and
 * checksums; the manifest agrees with the markers; no object lacks its marker (torn upload); offsets follow on
 * from segment to segment. A deep check also downloads every segment, checks the CRC32C of each file, and reads
 * every batch (batch CRCs, index consistency, offsets within the marker's range and in order, record count and
 * max timestamp as the marker says).
 */
public final class ArchiveVerifier {

    /** What was found: errors mean data is wrong or missing; warnings, that something needs attention. */
    public record Report(String partition, int segments, long records, List<String> errors, List<String> warnings) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private final RemoteSegmentStore store;
    private final ArchiveReader reader;

    /** @param reader used for deep checks' downloads; may be null when only quick checks are made */
    public ArchiveVerifier(RemoteSegmentStore store, ArchiveReader reader) {
        this.store = store;
        this.reader = reader;
    }

    public Report verify(ArchivePartition partition, boolean deep, Path scratch) throws SegmentException {
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        String prefix = store.layout().partitionPrefix(partition);
        Map<String, ObjectInfo> objects = new HashMap<>();
        List<SegmentMetadata> metas = new ArrayList<>();
        for (ObjectInfo info : store.backend().listAll(prefix, null)) {
            String name = info.key().substring(prefix.length());
            objects.put(name, info);
            if (RemoteLayout.parseMarkerName(name).isPresent()) {
                metas.add(store.readMarker(partition, name));
            }
        }
        metas.sort(SegmentManifest.ORDER);
        checkManifest(partition, metas, errors, warnings);
        checkOrphans(prefix, objects, metas, warnings);
        long records = 0;
        for (SegmentMetadata meta : metas) {
            checkObjects(meta, errors);
            if (deep && errors.isEmpty()) {
                checkContent(meta, scratch, errors);
            }
            records += meta.recordCount();
        }
        checkContiguity(metas, errors, warnings);
        return new Report(partition.toString(), metas.size(), records, errors, warnings);
    }

    private void checkManifest(ArchivePartition partition, List<SegmentMetadata> markers, List<String> errors,
                               List<String> warnings) throws SegmentException {
        Optional<SegmentManifest> manifest = store.readManifest(partition);
        if (manifest.isEmpty()) {
            if (!markers.isEmpty()) {
                warnings.add("no manifest: readers list every marker; run rebuild-manifest");
            }
            return;
        }
        for (SegmentMetadata m : markers) {
            if (!manifest.get().contains(m)) {
                warnings.add("marker " + RemoteLayout.markerName(m) + " is not in the manifest (found by listing; "
                        + "rebuild-manifest adds it)");
            }
        }
        for (SegmentMetadata m : manifest.get().segments()) {
            if (markers.stream().noneMatch(x -> x.baseOffset() == m.baseOffset()
                    && x.writerId().equals(m.writerId()))) {
                errors.add("the manifest lists " + RemoteLayout.markerName(m) + " but that marker is missing");
            }
        }
    }

    private static void checkOrphans(String prefix, Map<String, ObjectInfo> objects, List<SegmentMetadata> metas,
                                     List<String> warnings) {
        List<String> segmentNames = metas.stream().map(RemoteLayout::segmentStem).toList();
        for (String name : objects.keySet().stream().sorted().toList()) {
            int dot = name.lastIndexOf('.');
            String base = dot < 0 ? name : name.substring(0, dot);
            if (!name.equals(RemoteLayout.MANIFEST_NAME) && !segmentNames.contains(base)) {
                warnings.add("torn upload: " + prefix + name + " has no marker (invisible to readers; the next "
                        + "tiering pass of its writer completes it)");
            }
        }
    }

    private void checkObjects(SegmentMetadata meta, List<String> errors) throws SegmentException {
        SegmentKeys keys = store.layout().keys(meta);
        check(keys.log(), meta.log(), errors);
        check(keys.offsetIndex(), meta.offsetIndex(), errors);
        check(keys.timeIndex(), meta.timeIndex(), errors);
    }

    private void check(String key, FileInfo expected, List<String> errors) throws SegmentException {
        Optional<ObjectInfo> head = store.backend().head(key);
        if (head.isEmpty()) {
            errors.add(key + " is missing");
        } else if (head.get().size() != expected.size()) {
            errors.add(key + " has " + head.get().size() + " bytes, its marker says " + expected.size());
        } else if (!expected.crc32c().equals(head.get().crc32c())) {
            errors.add(key + " has CRC32C " + head.get().crc32c() + " in its metadata, its marker says "
                    + expected.crc32c());
        }
    }

    private void checkContent(SegmentMetadata meta, Path scratch, List<String> errors) throws SegmentException {
        Path dir = scratch.resolve(RemoteLayout.segmentName(meta.baseOffset(), meta.writerId()));
        try {
            SegmentFiles files = reader.download(meta, dir);
            try (SegmentReader segment = SegmentReader.open(files)) {
                checkRecords(meta, segment.recordsFrom(meta.baseOffset()), errors);
            }
        } catch (UncheckedSegmentException e) {
            errors.add(e.getCause().getMessage());
        } catch (SegmentException e) {
            if (e instanceof io.tieredarchive.tier.storage.StorageException) {
                throw e;
            }
            errors.add(e.getMessage());
        } finally {
            try {
                Directories.deleteTree(dir);
            } catch (IOException e) {
                errors.add("cannot delete the scratch copy " + dir + ": " + e);
            }
        }
    }

    private void checkRecords(SegmentMetadata meta, Iterator<ArchivedRecord> records, List<String> errors) {
        String name = store.layout().keys(meta).log();
        long count = 0;
        long previous = meta.baseOffset() - 1;
        long maxTimestamp = -1;
        while (records.hasNext()) {
            ArchivedRecord r = records.next();
            if (r.offset() <= previous || r.offset() > meta.lastOffset()) {
                errors.add(name + ": offset " + r.offset() + " after " + previous + " is out of order or outside "
                        + meta.baseOffset() + ".." + meta.lastOffset());
                return;
            }
            previous = r.offset();
            maxTimestamp = Math.max(maxTimestamp, r.timestamp());
            count++;
        }
        if (count != meta.recordCount() || previous != meta.lastOffset() || maxTimestamp != meta.maxTimestamp()) {
            errors.add(name + ": holds " + count + " records up to offset " + previous + " with max timestamp "
                    + maxTimestamp + "; its marker says " + meta.recordCount() + ", " + meta.lastOffset() + ", "
                    + meta.maxTimestamp());
        }
    }

    private static void checkContiguity(List<SegmentMetadata> metas, List<String> errors, List<String> warnings) {
        long end = -1;
        SegmentMetadata previous = null;
        for (SegmentMetadata m : metas) {
            if (m.recordCount() == 0) {
                continue;
            }
            if (previous != null && m.startOffset() >= 0 && m.completeFrom() > end) {
                errors.add("offsets " + end + ".." + (m.completeFrom() - 1) + " are in no segment, and "
                        + RemoteLayout.markerName(m) + " is complete only from offset " + m.completeFrom()
                        + ": a segment is missing (or still being uploaded by its writer)");
            } else if (previous != null && m.baseOffset() > end && m.startOffset() < 0) {
                warnings.add("offsets " + end + ".." + (m.baseOffset() - 1) + " are in no segment (normal for a "
                        + "compacted topic; otherwise a segment is missing)");
            } else if (previous != null && m.baseOffset() < end) {
                warnings.add("segments " + RemoteLayout.markerName(previous) + " and " + RemoteLayout.markerName(m)
                        + " overlap (two writers archived the same offsets; readers read each once)");
            }
            if (m.nextOffset() > end) {
                end = m.nextOffset();
                previous = m;
            }
        }
    }
}
