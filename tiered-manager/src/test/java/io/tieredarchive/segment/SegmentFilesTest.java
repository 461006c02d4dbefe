package io.tieredarchive.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
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
        assertEquals(dir.resolve("00000000000000000042.json.tmp"), files.markerTemp());
        assertEquals(List.of(files.log(), files.offsetIndex(), files.timeIndex(), files.markerTemp(), files.marker()),
                files.allIncludingTemp());
    }

    @Test
    void deleteAllRemovesEveryFileIncludingTheTempMarker() throws Exception {
        SegmentFiles files = SegmentFiles.of(dir, 42);
        for (Path path : files.allIncludingTemp()) {
            Files.createFile(path);
        }
        Files.createFile(dir.resolve("00000000000000000043.log"));
        files.deleteAll();
        files.deleteAll(); // nothing left to delete is not an error
        assertEquals(List.of(43L), SegmentFiles.listChecked(dir).stream().map(SegmentFiles::baseOffset).toList());
    }

    @Test
    void listCheckedNamesTheDirectoryItCannotRead() throws Exception {
        Path notADir = Files.createFile(dir.resolve("00000000000000000000.log"));
        SegmentException e = assertThrows(SegmentException.class, () -> SegmentFiles.listChecked(notADir));
        assertTrue(e.getMessage().contains(notADir.toString()), e.getMessage());
        UncheckedIOException u = assertThrows(UncheckedIOException.class, () -> SegmentFiles.list(notADir));
        assertTrue(u.getMessage().contains(notADir.toString()), u.getMessage());
        assertEquals(List.of(), SegmentFiles.listChecked(dir.resolve("absent")));
    }

    /** Local retention deletes a segment while the directory is read: the listing leaves it out, no error. */
    @Test
    void aSegmentDeletedDuringTheScanIsNotListed() throws Exception {
        List<Path> entries = List.of(Files.createFile(dir.resolve("00000000000000000010.log")),
                Files.createFile(dir.resolve("00000000000000000020.log")),
                Files.createFile(dir.resolve("00000000000000000030.log")));
        Iterable<Path> deletingWhileRead = () -> new Iterator<>() {
            private final Iterator<Path> names = entries.iterator();

            @Override
            public boolean hasNext() {
                return names.hasNext();
            }

            @Override
            public Path next() {
                Path name = names.next();
                if (name.getFileName().toString().startsWith("00000000000000000020")) {
                    try {
                        Files.delete(name); // its name was read, then retention deleted it
                    } catch (java.io.IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return name;
            }
        };
        assertEquals(List.of(10L, 30L), SegmentFiles.segmentsIn(dir, deletingWhileRead).stream()
                .map(SegmentFiles::baseOffset).toList());
        assertEquals(List.of(10L, 30L), SegmentFiles.listChecked(dir).stream().map(SegmentFiles::baseOffset).toList());
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
        assertEquals(segments, SegmentFiles.listChecked(dir));
    }
}
