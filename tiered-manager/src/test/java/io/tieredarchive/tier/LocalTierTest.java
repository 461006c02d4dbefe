package io.tieredarchive.tier;

import io.tieredarchive.segment.SegmentFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.tieredarchive.tier.TestArchive.T0;
import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the local tier offers for upload. */
class LocalTierTest {

    @TempDir
    Path tempDir;

    @Test
    void aSegmentOfAnotherPartitionPutIntoAFolderIsNeverOffered() throws Exception {
        Path localDir = tempDir.resolve("local");
        TestArchive.seal(localDir, TOPIC, 0, 0, 10, "w1", T0);
        // A segment of another topic, moved into this topic's folder (a hand copy, two connectors on one dir).
        SegmentFiles foreign = TestArchive.seal(tempDir.resolve("elsewhere"), "another", 0, 10, 10, "w1", T0);
        Path folder = localDir.resolve(TOPIC + "-0");
        for (Path file : foreign.all()) {
            Files.move(file, folder.resolve(file.getFileName()));
        }
        List<LocalSegment> offered = new LocalTier(localDir).scan();
        assertEquals(List.of(TOPIC + "-0@0"), offered.stream().map(s -> s.meta().topic() + "-" + s.meta().partition()
                + "@" + s.meta().baseOffset()).toList());
    }
}
