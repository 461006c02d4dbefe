package io.tieredarchive.segment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of one segment in a partition directory, named as Kafka names them: the base offset (the first offset
 * the segment may hold) as 20 zero-padded decimal digits, then a suffix.
 * <ul>
 *   <li>{@code 00000000000000000042.log}: the record batches;</li>
 *   <li>{@code 00000000000000000042.index}: the offset index;</li>
 *   <li>{@code 00000000000000000042.timeindex}: the time index;</li>
 *   <li>{@code 00000000000000000042.json}: the marker ({@link SegmentMetadata}), present only once sealed;</li>
 *   <li>{@code 00000000000000000042.json.tmp}: the marker while it is written ({@link #markerTemp()}), renamed
 *       to the marker at once; never read, but left behind by a crash or a failed seal.</li>
 * </ul>
 */
public final class SegmentFiles {

    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";
    public static final String MARKER_SUFFIX = ".json";
    public static final String MARKER_TEMP_SUFFIX = MARKER_SUFFIX + ".tmp";

    private static final Pattern LOG_NAME = Pattern.compile("(\\d{20})\\.log");

    private final Path dir;
    private final long baseOffset;

    private SegmentFiles(Path dir, long baseOffset) {
        this.dir = Objects.requireNonNull(dir, "partitionDir");
        if (baseOffset < 0) {
            throw new IllegalArgumentException("base offset must not be negative, got " + baseOffset);
        }
        this.baseOffset = baseOffset;
    }

    public static SegmentFiles of(Path partitionDir, long baseOffset) {
        return new SegmentFiles(partitionDir, baseOffset);
    }

    /** The base offset as Kafka writes it in file names: 20 digits, zero-padded ({@code 00000000000000000042}). */
    public static String baseName(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    /**
     * Every segment in {@code partitionDir} (one per {@code .log} file, sealed or not), ordered by base offset.
     * An absent directory holds no segment; a segment whose {@code .log} is deleted while the directory is read
     * (local retention runs concurrently) is left out. Fails with an {@link UncheckedIOException}; new code should
     * call {@link #listChecked(Path)}, which throws the checked {@link SegmentException}.
     */
    public static List<SegmentFiles> list(Path partitionDir) {
        try {
            return listChecked(partitionDir);
        } catch (SegmentException e) {
            IOException cause = e.getCause() instanceof IOException io ? io : new IOException(e.getMessage(), e);
            throw new UncheckedIOException(e.getMessage(), cause);
        }
    }

    /**
     * As {@link #list(Path)}, but a directory that cannot be read is a {@link SegmentException} naming it, the
     * storage core's checked exception: the method to use.
     */
    public static List<SegmentFiles> listChecked(Path partitionDir) throws SegmentException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(partitionDir)) {
            return segmentsIn(partitionDir, entries);
        } catch (NoSuchFileException e) {
            return new ArrayList<>();
        } catch (IOException | DirectoryIteratorException e) {
            Throwable cause = e instanceof DirectoryIteratorException d ? d.getCause() : e;
            if (cause instanceof NoSuchFileException && !Files.exists(partitionDir)) {
                return new ArrayList<>(); // the directory itself was deleted while it was read
            }
            throw new SegmentException("Cannot list segments in " + partitionDir + ": " + cause, cause);
        }
    }

    /**
     * The segments named by {@code entries} (a listing of {@code partitionDir}) whose {@code .log} still exists
     * once the listing is read: a name seen just before its file was deleted is not a segment.
     */
    static List<SegmentFiles> segmentsIn(Path partitionDir, Iterable<Path> entries) {
        List<SegmentFiles> segments = new ArrayList<>();
        for (Path entry : entries) {
            Matcher m = LOG_NAME.matcher(entry.getFileName().toString());
            if (m.matches()) {
                segments.add(of(partitionDir, Long.parseLong(m.group(1))));
            }
        }
        segments.removeIf(files -> !Files.exists(files.log()));
        segments.sort(Comparator.comparingLong(SegmentFiles::baseOffset));
        return segments;
    }

    public Path dir() {
        return dir;
    }

    public long baseOffset() {
        return baseOffset;
    }

    public Path log() {
        return file(LOG_SUFFIX);
    }

    public Path offsetIndex() {
        return file(INDEX_SUFFIX);
    }

    public Path timeIndex() {
        return file(TIME_INDEX_SUFFIX);
    }

    public Path marker() {
        return file(MARKER_SUFFIX);
    }

    /** Where the marker is written before it is renamed to {@link #marker()}: {@code <base>.json.tmp}. */
    public Path markerTemp() {
        return file(MARKER_TEMP_SUFFIX);
    }

    /** All four paths, the marker last. What a complete segment consists of; see {@link #allIncludingTemp()}. */
    public List<Path> all() {
        return List.of(log(), offsetIndex(), timeIndex(), marker());
    }

    /** Every path the segment may have on disk: {@link #all()} and the temp marker, the marker last. */
    public List<Path> allIncludingTemp() {
        return List.of(log(), offsetIndex(), timeIndex(), markerTemp(), marker());
    }

    /**
     * Deletes every file of the segment, the temp marker included ({@link #allIncludingTemp()}, the marker
     * last). Tries each file; throws the first failure, with the others suppressed.
     */
    public void deleteAll() throws IOException {
        IOException failure = null;
        for (Path path : allIncludingTemp()) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** True once the marker exists: the segment is complete and durable. */
    public boolean isSealed() {
        return Files.exists(marker());
    }

    private Path file(String suffix) {
        return dir.resolve(baseName(baseOffset) + suffix);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentFiles that && baseOffset == that.baseOffset && dir.equals(that.dir);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dir, baseOffset);
    }

    @Override
    public String toString() {
        return dir.resolve(baseName(baseOffset)).toString();
    }
}
