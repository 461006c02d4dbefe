package io.tieredarchive.sink;

import io.tieredarchive.tier.LocalTier;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new partition directory's entry in {@code local.dir} is made durable (local.dir fsynced) before the first
 * segment in it is written, so a crash cannot lose a directory whose sealed segments were committed. The segment's
 * own files and its directory were fsynced before; the entry of the directory itself was not.
 */
class PartitionDirectoryDurabilityTest extends SinkTaskTestBase {

    @Test
    void localDirIsFsyncedWhenAPartitionDirectoryIsCreatedBeforeTheFirstSegment() throws Exception {
        List<String> events = new ArrayList<>();
        directorySync = dir -> {
            events.add("fsync " + dir + (Files.isDirectory(dir(TP)) ? " with " + TP : ""));
            LocalTier.fsyncDirectory(dir);
        };
        ArchiveSinkTask task = start(new FakeSinkTaskContext());
        task.open(List.of(TP));
        assertEquals(List.of(), events, "nothing created on open");
        task.put(records(TP, 0, 10));
        Path parent = dir(TP).toAbsolutePath().getParent();
        assertEquals(List.of("fsync " + parent + " with " + TP), events,
                "local.dir fsynced once the partition directory exists, before the segment is written");
        task.close(List.of(TP));
        task.open(List.of(TP));
        task.put(records(TP, 10, 20));
        assertEquals(1, events.size(), "an existing directory is not fsynced again");
        assertTrue(Files.isDirectory(dir(TP)));
    }
}
