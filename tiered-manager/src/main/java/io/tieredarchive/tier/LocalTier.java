package io.tieredarchive.tier;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sealed segments under {@code local.dir}: every {@code <topic>-<partition>/<base>.json} marker, whichever
 * task wrote it and whether or not its partition is still assigned here.
 *
 * <p>Besides the sink's four files, the tier keeps one file per segment: {@code <base>.tiered}, written
 * atomically (temporary file, fsync, rename) once the segment is uploaded and proven by the store (its manifest
 * registration may follow). Its content is one UTF-8 line, the marker's object key. Deleting a local copy removes the
 * {@code .log} first (so the sink no longer lists the segment), then {@code .index}, {@code .timeindex}, the
 * marker, and the {@code .tiered} file last; a scan that finds a {@code .tiered} file without its {@code .log}
 * finishes an interrupted deletion.
 *
 * <p>A partition folder whose segments belong to another archive than the one the sink now writes (another
 * incarnation of the topic, another destination, or the legacy format) is <em>retired</em> by the sink: renamed,
 * atomically, to {@code <topic>-<partition>.retired-<epochMs>}. Retired folders are scanned like the others (their
 * segments are still uploaded where their markers say, and freed by retention), and deleted once empty.
 */
public final class LocalTier {

    private static final Logger log = LoggerFactory.getLogger(LocalTier.class);
    public static final String TIERED_SUFFIX = ".tiered";
    private static final Pattern MARKER = Pattern.compile("(\\d{20})\\.json");
    private static final Pattern TIERED = Pattern.compile("(\\d{20})\\.tiered");
    /** The suffix of a retired partition folder: {@code <topic>-<partition>.retired-<epochMs>}. */
    public static final String RETIRED_INFIX = ".retired-";

    private final Path dir;
    /** Parsed markers by path, kept while the marker's modification time is unchanged. */
    private final Map<Path, CachedMarker> markers = new HashMap<>();

    private record CachedMarker(FileTime modified, SegmentMetadata meta) {
    }

    public LocalTier(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** The directory of a partition's segments: {@code local.dir/<topic>-<partition>}. */
    public Path partitionDir(String topic, int partition) {
        return dir.resolve(topic + "-" + partition);
    }

    /** Every sealed segment, in no particular order. A marker that cannot be read is logged and skipped. */
    public synchronized List<LocalSegment> scan() throws IOException {
        List<LocalSegment> found = new ArrayList<>();
        Map<Path, CachedMarker> seen = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> partitions = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path partitionDir : partitions) {
                if (!partitionDir.getFileName().toString().startsWith(".")) {
                    scanPartition(partitionDir, found, seen);
                }
            }
        }
        markers.keySet().retainAll(seen.keySet());
        markers.putAll(seen);
        return found;
    }

    private void scanPartition(Path partitionDir, List<LocalSegment> found, Map<Path, CachedMarker> seen)
            throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(partitionDir)) {
            files.forEach(entries::add);
        } catch (NoSuchFileException gone) {
            return;
        }
        if (entries.isEmpty() && isRetired(partitionDir)) {
            deleteEmptyRetired(partitionDir);
            return;
        }
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            Matcher tiered = TIERED.matcher(name);
            if (tiered.matches()) {
                SegmentFiles files = SegmentFiles.of(partitionDir, Long.parseLong(tiered.group(1)));
                if (!Files.exists(files.log())) {
                    log.info("Finishing the deletion of the local copy of {}", files);
                    deleteFiles(files);
                }
                continue;
            }
            Matcher marker = MARKER.matcher(name);
            if (!marker.matches()) {
                continue;
            }
            SegmentFiles files = SegmentFiles.of(partitionDir, Long.parseLong(marker.group(1)));
            Optional<SegmentMetadata> meta = readMarker(files.marker(), seen);
            if (meta.isPresent() && !describes(meta.get(), partitionDir, files)) {
                // Files of another partition put here: the sink refuses to open the partition; never upload them.
                log.error("Skipping local segment {}: its marker describes {}-{} base offset {}, not this folder's "
                        + "partition and base offset; it is not uploaded", files.marker(), meta.get().topic(),
                        meta.get().partition(), meta.get().baseOffset());
                continue;
            }
            if (meta.isPresent() && Files.exists(files.log())) {
                found.add(new LocalSegment(files, meta.get(), Files.exists(tieredFile(files))));
            }
        }
    }

    private static boolean describes(SegmentMetadata meta, Path partitionDir, SegmentFiles files) {
        String name = partitionDir.getFileName().toString();
        String expected = meta.topic() + "-" + meta.partition();
        return (name.equals(expected) || name.startsWith(expected + RETIRED_INFIX))
                && meta.baseOffset() == files.baseOffset();
    }

    /** True for a folder {@link #retire} renamed. */
    public static boolean isRetired(Path partitionDir) {
        return partitionDir.getFileName().toString().contains(RETIRED_INFIX);
    }

    /**
     * Renames a partition folder out of the sink's way, atomically, keeping everything in it for the tier:
     * {@code <topic>-<partition>} becomes {@code <topic>-<partition>.retired-<nowMs>} (a later name if taken), and
     * the parent folder is fsynced so that the rename survives a crash.
     *
     * @return the retired folder
     */
    public static Path retire(Path partitionDir, long nowMs) throws IOException {
        Path target = partitionDir.resolveSibling(partitionDir.getFileName() + RETIRED_INFIX + nowMs);
        for (long n = nowMs + 1; Files.exists(target); n++) {
            target = partitionDir.resolveSibling(partitionDir.getFileName() + RETIRED_INFIX + n);
        }
        Files.move(partitionDir, target, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(partitionDir.getParent());
        return target;
    }

    /** Fsyncs a directory, so that the entries created or renamed in it are durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteEmptyRetired(Path dir) {
        try {
            Files.delete(dir);
            log.info("Deleted {}: every segment it held is in the store and was freed", dir);
        } catch (IOException e) {
            log.debug("Cannot delete the empty retired folder {} now: {}", dir, e.toString());
        }
    }

    private Optional<SegmentMetadata> readMarker(Path marker, Map<Path, CachedMarker> seen) throws IOException {
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(marker);
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        }
        CachedMarker cached = markers.get(marker);
        if (cached == null || !cached.modified().equals(modified)) {
            try {
                cached = new CachedMarker(modified, SegmentMetadata.read(marker));
            } catch (SegmentException e) {
                log.error("Skipping local segment {}: {}", marker, e.getMessage());
                return Optional.empty();
            }
        }
        seen.put(marker, cached);
        return Optional.of(cached.meta());
    }

    /** The sealed local copy of the segment {@code meta} names (same base offset and writer), if present. */
    public Optional<SegmentFiles> find(SegmentMetadata meta) {
        SegmentFiles files = SegmentFiles.of(partitionDir(meta.topic(), meta.partition()), meta.baseOffset());
        try {
            if (Files.exists(files.log()) && files.isSealed()) {
                SegmentMetadata local = SegmentMetadata.read(files.marker());
                if (local.writerId().equals(meta.writerId())
                        && Objects.equals(local.clusterId(), meta.clusterId())
                        && Objects.equals(local.topicId(), meta.topicId())) {
                    return Optional.of(files);
                }
            }
        } catch (SegmentException e) {
            log.debug("Local copy {} unusable: {}", files, e.getMessage());
        }
        return Optional.empty();
    }

    /** Records that {@code segment} is safe in the store under {@code markerKey}. */
    public static void markTiered(SegmentFiles files, String markerKey) throws IOException {
        Path target = tieredFile(files);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, (markerKey + "\n").getBytes(StandardCharsets.UTF_8));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Forgets that {@code files} is in the store: it will be uploaded again. */
    public static void unmarkTiered(SegmentFiles files) throws IOException {
        Files.deleteIfExists(tieredFile(files));
    }

    /** Deletes the local copy, {@code .log} first and the {@code .tiered} file last. */
    public static void deleteFiles(SegmentFiles files) throws IOException {
        files.deleteAll(); // the marker last, and a leftover temporary marker too
        Files.deleteIfExists(tieredFile(files));
    }

    /**
     * True when {@code files} is recorded as safe in the store (its {@code .tiered} file exists): local retention
     * may delete its local copy at any moment.
     */
    public static boolean isTiered(SegmentFiles files) {
        return Files.exists(tieredFile(files));
    }

    static Path tieredFile(SegmentFiles files) {
        return files.dir().resolve(SegmentFiles.baseName(files.baseOffset()) + TIERED_SUFFIX);
    }
}
