package io.tieredarchive.segment;

import static io.tieredarchive.segment.TestSegments.drain;
import static io.tieredarchive.segment.TestSegments.options;
import static io.tieredarchive.segment.TestSegments.records;
import static io.tieredarchive.segment.TestSegments.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

class SegmentRoundTripTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void everyCodecReturnsExactlyWhatWasWritten(String codec) throws Exception {
        List<ArchivedRecord> written = records(1000, 3000, 42);
        SegmentMetadata meta = write(dir, 1000, written, options(codec, 16 * 1024));

        assertEquals(written.size(), meta.recordCount());
        assertEquals(written.get(written.size() - 1).offset(), meta.lastOffset());
        assertEquals(codec, meta.codec());
        assertTrue(written.stream().anyMatch(r -> r.timestampType() == TimestampType.LOG_APPEND_TIME));
        assertTrue(written.stream().anyMatch(r -> r.key() == null));
        assertTrue(written.stream().anyMatch(r -> r.value() == null));
        try (SegmentReader reader = SegmentReader.open(SegmentFiles.of(dir, 1000))) {
            assertEquals(written, drain(reader.recordsFrom(0)));
        }
    }
}
