package io.tieredarchive.segment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of one segment in a partition directory, named as Kafka names them: the base offset (the first offset
 * the segment may hold) as 20 zero-padded decimal digits, then a suffix.
 * <ul>
 *   <li>{@code 00000000000000000042.log}: the record batches;</li>
 *   <li>{@code 00000000000000000042.index}: the offset index;</li>
 *   <li>{@code 00000000000000000042.timeindex}: the time index;</li>
 *   <li>{@code 00000000000000000042.json}: the marker ({@link SegmentMetadata}), present only once sealed.</li>
 * </ul>
 */
public final class SegmentFiles {

    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";
    public static final String MARKER_SUFFIX = ".json";

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
     * An absent directory holds no segment.
     */
    public static List<SegmentFiles> list(Path partitionDir) {
        List<SegmentFiles> segments = new ArrayList<>();
        try (Stream<Path> entries = Files.list(partitionDir)) {
            entries.forEach(entry -> {
                Matcher m = LOG_NAME.matcher(entry.getFileName().toString());
                if (m.matches()) {
                    segments.add(of(partitionDir, Long.parseLong(m.group(1))));
                }
            });
        } catch (NoSuchFileException e) {
            return segments;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list segments in " + partitionDir, e);
        }
        segments.sort((a, b) -> Long.compare(a.baseOffset, b.baseOffset));
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

    /** All four paths, the marker last. */
    public List<Path> all() {
        return List.of(log(), offsetIndex(), timeIndex(), marker());
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
