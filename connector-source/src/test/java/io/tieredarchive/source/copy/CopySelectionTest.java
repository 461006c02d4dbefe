package io.tieredarchive.source.copy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CopySelectionTest {

    private static CopySelection all(String source, String destination) {
        return new CopySelection(source, destination, null, null, 0, 1);
    }

    @Test
    void mapsKeysUnderTheDestinationPrefix() {
        CopySelection s = all("data", "copy");
        assertEquals("data/", s.listPrefix());
        assertEquals("copy/a/b.bin", s.select("data/a/b.bin").destinationKey());
        assertEquals("copy/ünïcödé/日本語.bin", s.select("data/ünïcödé/日本語.bin").destinationKey());
        assertNull(s.select("data2/x"), "outside the prefix");
        assertEquals("a/b.bin", all("data", "").select("data/a/b.bin").destinationKey());
        assertEquals("copy/data/x", all("", "copy").select("data/x").destinationKey());
        assertEquals("", all("", "copy").listPrefix());
    }

    @Test
    void includeAndExcludeMatchTheRelativeKeyInFull() {
        CopySelection s = new CopySelection("data", "copy", Pattern.compile(".*\\.bin"), Pattern.compile("tmp/.*"),
                0, 1);
        assertNotNull(s.select("data/a.bin"));
        assertNull(s.select("data/a.binx"), "full match");
        assertNull(s.select("data/a.txt"));
        assertNull(s.select("data/tmp/a.bin"), "excluded");
        assertNotNull(s.select("data/x/tmp/a.bin"), "exclude is anchored at the relative key");
    }

    @Test
    void keysThatWouldEscapeOrOverflowAreRejected() {
        CopySelection s = all("data", "copy");
        for (String key : List.of("data/../etc/passwd", "data/a/../../b", "data/./a", "data/a/..", "data/.")) {
            CopySelection.Selected selected = s.select(key);
            assertNotNull(selected.rejection(), key);
        }
        assertNull(s.select("data/a..b/.hidden/...").rejection(), "dots inside names are fine");
        String longKey = "data/" + "x".repeat(1019);
        assertNull(s.select(longKey).rejection(), "copy/ + 1019 = 1024 bytes");
        assertTrue(s.select(longKey + "y").rejection().contains("1025 UTF-8 bytes"));
        assertTrue(all("data", "").select("data/").rejection().contains("empty"));
    }

    @Test
    void shardsSplitTheKeysDisjointlyAndEvenly() {
        int shards = 4;
        List<CopySelection> tasks = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            tasks.add(new CopySelection("data", "copy", null, null, i, shards));
        }
        int[] counts = new int[shards];
        for (int k = 0; k < 10_000; k++) {
            String key = String.format("data/part-%05d.parquet", k);
            int owners = 0;
            for (int i = 0; i < shards; i++) {
                if (tasks.get(i).select(key) != null) {
                    owners++;
                    counts[i]++;
                }
            }
            assertEquals(1, owners, key);
        }
        for (int c : counts) {
            assertTrue(c > 2_000 && c < 3_000, "balanced: " + java.util.Arrays.toString(counts));
        }
        assertEquals(CopySelection.shardOf("data/a", 7), CopySelection.shardOf("data/a", 7), "stable");
    }
}
