package io.tieredarchive.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class SegmentFilesTest {

    @TempDir
    Path dir;

    @Test
    void namesAreKafkas() {
        assertEquals("00000000000000000042", SegmentFiles.baseName(42));
        assertEquals("09223372036854775807", SegmentFiles.baseName(Long.MAX_VALUE));
        SegmentFiles files = SegmentFiles.of(dir, 42);
        assertEquals(dir.resolve("00000000000000000042.log"), files.log());
        assertEquals(dir.resolve("00000000000000000042.index"), files.offsetIndex());
        assertEquals(dir.resolve("00000000000000000042.timeindex"), files.timeIndex());
        assertEquals(dir.resolve("00000000000000000042.json"), files.marker());
    }

    @Test
    void listFindsEverySegmentByBaseOffset() throws Exception {
        for (String name : List.of("00000000000000001000.log", "00000000000000000010.log", "00000000000000000010.json",
                "00000000000000000010.index", "00000000000000000500.log", "00000000000000000500.json.tmp",
                "junk.log", "0000000000000000001.log", "00000000000000000007.index")) {
            Files.createFile(dir.resolve(name));
        }
        List<SegmentFiles> segments = SegmentFiles.list(dir);
        assertEquals(List.of(10L, 500L, 1000L), segments.stream().map(SegmentFiles::baseOffset).toList());
        assertTrue(segments.get(0).isSealed());
        assertFalse(segments.get(1).isSealed());
        assertEquals(List.of(), SegmentFiles.list(dir.resolve("absent")));
    }
}
