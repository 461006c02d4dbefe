package io.tieredarchive.sink;

import io.tieredarchive.testing.Closing;

import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a sink task holds from start to stop, opened on a real {@code local.dir} and a file-system bucket: the
 * directory is created and claimed for the connector until it stops; another connector archiving elsewhere is
 * refused naming both, from the same worker or another one on the disk; a tier that cannot start is an error naming
 * {@code local.dir}.
 */
class TaskResourcesTest {

    @TempDir
    Path tmp;

    /** The tiers of two workers whose tasks share one disk; each worker has its own tiering service. */
    private FileSystemTiers worker;
    private FileSystemTiers otherWorker;

    @AfterEach
    void tearDown() throws Exception {
        Closing.closeAll(worker, otherWorker);
    }

    private Path localDir() {
        return tmp.resolve("disk").resolve("local");
    }

    private ArchiveSinkConfig config(String connector) {
        Map<String, String> props = new HashMap<>(Map.of("name", connector, "s3.bucket", "b",
                "local.dir", localDir().toString(), "kafka.bootstrap.servers", "127.0.0.1:9"));
        return new ArchiveSinkConfig(props);
    }

    /** Opens a task's resources on {@code tiers}, whose durability archives under {@code prefix} of the bucket. */
    private static TaskResources open(FileSystemTiers tiers, ArchiveSinkConfig config, String prefix) {
        return TaskResources.open(config, Map.of("name", config.connectorName()), new ArchiveSinkTask.Collaborators(
                c -> onTiered -> {
                    tiers.prefix = prefix;
                    return tiers.durability(c, onTiered);
                }, c -> new TestIdentities()), () -> { }, System::currentTimeMillis);
    }

    @BeforeEach
    void workers() {
        worker = new FileSystemTiers(tmp.resolve("bucket"), System::currentTimeMillis);
        otherWorker = new FileSystemTiers(tmp.resolve("bucket"), System::currentTimeMillis);
    }

    @Test
    void openingCreatesLocalDirAndClaimsItUntilClosed() {
        TaskResources resources = open(worker, config("archiver"), "");
        assertTrue(Files.isDirectory(localDir()), "local.dir created, parents included");
        assertTrue(worker.of(localDir()).canUpload(resources.durability().destination()),
                "the task's store is attached to the worker's tier");
        assertThrows(ConnectException.class, () -> open(otherWorker, config("successor"), "elsewhere"),
                "claimed while it runs");

        resources.close();
        open(otherWorker, config("successor"), "elsewhere").close(); // the connector stopped: local.dir is free
    }

    @Test
    void anotherConnectorArchivingElsewhereFromTheSameWorkerIsRefusedNamingBoth() {
        try (TaskResources first = open(worker, config("archiver"), "")) {
            ConnectException e = assertThrows(ConnectException.class,
                    () -> open(worker, config("intruder"), "elsewhere"));
            assertTrue(e.getMessage().contains("Cannot start the S3 tier of " + localDir()), e.getMessage());
            assertTrue(e.getMessage().contains("is used by connector 'archiver'"), e.getMessage());
            assertTrue(e.getMessage().contains("connector 'intruder' archives to"), e.getMessage());
            assertTrue(worker.of(localDir()).canUpload(first.durability().destination()), "the owner goes on");
        }
    }

    @Test
    void anotherConnectorArchivingElsewhereFromAnotherWorkerOnTheDiskIsRefusedNamingBoth() {
        try (TaskResources first = open(worker, config("archiver"), "")) {
            ConnectException e = assertThrows(ConnectException.class,
                    () -> open(otherWorker, config("intruder"), "elsewhere"));
            assertTrue(e.getMessage().contains("local.dir " + localDir() + " belongs to connector 'archiver'"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("connector 'intruder' archives to"), e.getMessage());
            assertTrue(worker.of(localDir()).canUpload(first.durability().destination()), "the owner goes on");
        }
    }

    /**
     * A task refused on another worker must not free the claim of the connector that runs: closing the refused
     * task's tier used to record local.dir as having no running owner, and a third connector archiving elsewhere was
     * then let in until the owner's next heartbeat.
     */
    @Test
    void aRefusedTaskOnAnotherWorkerLeavesTheRunningOwnersClaimInPlace() {
        try (TaskResources first = open(worker, config("archiver"), "")) {
            assertThrows(ConnectException.class, () -> open(otherWorker, config("intruder"), "elsewhere"));
            ConnectException e = assertThrows(ConnectException.class,
                    () -> open(otherWorker, config("third"), "third"), "local.dir still belongs to 'archiver'");
            assertTrue(e.getMessage().contains("belongs to connector 'archiver'"), e.getMessage());
        }
    }

    @Test
    void aTierThatCannotStartIsAnErrorNamingLocalDir() {
        ArchiveSinkConfig config = config("archiver");
        ConnectException e = assertThrows(ConnectException.class, () -> TaskResources.open(config,
                Map.of("name", "archiver"), new ArchiveSinkTask.Collaborators(c -> onTiered -> {
                    throw new IllegalStateException("s3.endpoint is not a URI");
                }, c -> new TestIdentities()), () -> { }, System::currentTimeMillis));
        assertTrue(e.getMessage().contains("Cannot start the S3 tier of " + localDir()), e.getMessage());
        assertTrue(e.getMessage().contains("s3.endpoint is not a URI"), e.getMessage());
    }
}
