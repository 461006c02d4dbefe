package io.tieredarchive.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a child process of a fixture (S3Proxy, a Connect worker) writes its output. By default in the fixture's own
 * (usually temporary) directory; with the system property {@value #PROPERTY} (the build sets it to
 * {@code target/child-logs} of each module) in that directory instead, so the logs outlive the test's temporary
 * directory and the reliability module's last check can search every log of the build for secrets.
 */
public final class ChildLogs {

    public static final String PROPERTY = "tieredarchive.child.logs.dir";

    private ChildLogs() {
    }

    /**
     * The log file of a child working in {@code workDir}: {@code workDir/name}, or, with {@value #PROPERTY} set,
     * a file in that directory named after {@code name} and {@code workDir} (the same for the same directory, so
     * a process started again in it appends to its log as before).
     */
    public static Path file(Path workDir, String name) {
        String dir = System.getProperty(PROPERTY);
        if (dir == null || dir.isBlank()) {
            return workDir.resolve(name);
        }
        String id = Integer.toHexString(workDir.toAbsolutePath().normalize().toString().hashCode());
        try {
            return Files.createDirectories(Path.of(dir)).resolve(id + "-" + name);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dir + " for child process logs", e);
        }
    }
}
