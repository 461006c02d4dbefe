package io.tieredarchive.segment;

import static io.tieredarchive.segment.TestSegments.options;
import static io.tieredarchive.segment.TestSegments.records;
import static io.tieredarchive.segment.TestSegments.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kafka's own kafka-dump-log.sh (DumpLogSegments) reads our segments and accepts our indexes. */
class KafkaDumpLogCompatibilityTest {

    private static final Pattern RECORD_LINE = Pattern.compile("\\| offset: (\\d+) (CreateTime|LogAppendTime): (\\d+)");

    private static final Pattern GAP_LINE = Pattern.compile("\\s+(-?\\d+) is followed by (\\d+)");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void dumpLogPrintsEveryRecordWithItsOffsetTimestampAndType(String codec) throws Exception {
        List<ArchivedRecord> written = records(500, 2000, 7);
        write(dir, 500, written, options(codec, 8 * 1024));
        SegmentFiles files = SegmentFiles.of(dir, 500);

        DumpLogTool.Output out = DumpLogTool.run("--files", files.log().toString(), "--print-data-log");

        assertOnlyOurGapsReported(out.err(), written);
        Matcher m = RECORD_LINE.matcher(out.out());
        int i = 0;
        while (m.find()) {
            ArchivedRecord expected = written.get(i++);
            assertEquals(expected.offset(), Long.parseLong(m.group(1)));
            assertEquals(expected.timestampType().name, m.group(2));
            assertEquals(expected.timestamp(), Long.parseLong(m.group(3)));
        }
        assertEquals(written.size(), i, "records printed by DumpLogSegments");
        assertTrue(out.out().contains("compresscodec: " + codec), out.out().lines().limit(5).toList().toString());
    }

    @Test
    void indexesPassKafkasSanityCheckAndVerification() throws Exception {
        List<ArchivedRecord> written = records(0, 5000, 11);
        write(dir, 0, written, options("zstd", 4 * 1024));
        SegmentFiles files = SegmentFiles.of(dir, 0);
        String indexes = files.offsetIndex() + "," + files.timeIndex();

        DumpLogTool.Output sanity = DumpLogTool.run("--files", indexes, "--index-sanity-check");
        assertTrue(sanity.out().contains(files.offsetIndex() + " passed sanity check."), sanity.out());
        assertTrue(sanity.out().contains(files.timeIndex() + " passed sanity check."), sanity.out());

        DumpLogTool.Output verify = DumpLogTool.run("--files", indexes, "--verify-index-only");
        assertTrue(verify.err().isBlank(), "DumpLogSegments found index errors: " + verify.err());

        DumpLogTool.Output full = DumpLogTool.run("--files", indexes);
        assertTrue(full.err().isBlank(), full.err());
        long offsetEntries = full.out().lines().filter(l -> l.startsWith("offset: ")).count();
        long timeEntries = full.out().lines().filter(l -> l.startsWith("timestamp: ")).count();
        assertTrue(offsetEntries > 100, "one offset index entry per batch, got " + offsetEntries);
        assertTrue(timeEntries > 10, "time index entries, got " + timeEntries);
        assertFalse(full.out().contains("is empty"), full.out());
    }

    /** The tool reports gaps in offsets (a compacted topic) on stderr; they must be the gaps we wrote, no more. */
    private static void assertOnlyOurGapsReported(String err, List<ArchivedRecord> written) {
        Map<Long, Long> gaps = new TreeMap<>();
        if (written.get(0).offset() != 0) {
            gaps.put(-1L, written.get(0).offset()); // the tool counts from -1 whatever the segment's base
        }
        for (int i = 1; i < written.size(); i++) {
            if (written.get(i).offset() != written.get(i - 1).offset() + 1) {
                gaps.put(written.get(i - 1).offset(), written.get(i).offset());
            }
        }
        Map<Long, Long> reported = new TreeMap<>();
        for (String line : err.lines().toList()) {
            Matcher m = GAP_LINE.matcher(line);
            if (m.matches()) {
                reported.put(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
            } else {
                assertTrue(line.startsWith("Non-consecutive offsets in "), "unexpected stderr line: " + line);
            }
        }
        assertTrue(gaps.size() > 100);
        assertEquals(gaps, reported);
    }
}
