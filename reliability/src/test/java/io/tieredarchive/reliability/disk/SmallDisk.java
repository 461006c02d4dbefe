package io.tieredarchive.reliability.disk;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small disk for tests that fill one: a tmpfs mounted by the test (root only; elsewhere the caller skips, saying
 * why), and a {@link Filler} that takes every free byte of it until closed.
 */
public final class SmallDisk {

    private SmallDisk() {
    }

    /** Mounts a tmpfs of {@code size} (e.g. {@code 32m}) on {@code dir}; null when done, else why it could not. */
    public static String mount(Path dir, String size) throws Exception {
        return run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    }

    /** Unmounts {@code dir}, lazily when it is busy. */
    public static void unmount(Path dir) throws Exception {
        String result = run("umount", dir.toString());
        if (result != null) {
            System.err.println("umount " + dir + ": " + result + "; trying a lazy unmount");
            run("umount", "-l", dir.toString());
        }
    }

    /** Takes every free byte of the file system of {@code file}, and keeps topping up, until closed. */
    public static final class Filler implements AutoCloseable {
        private final Path file;
        private final Thread thread;
        private volatile boolean stopped;
        private volatile long bytes;

        public Filler(Path file) {
            this.file = file;
            thread = new Thread(this::fill, "disk-filler");
            thread.setDaemon(true);
            thread.start();
        }

        private void fill() {
            byte[] chunk = new byte[64 * 1024];
            try (OutputStream out = Files.newOutputStream(file)) {
                while (!stopped) {
                    try {
                        out.write(chunk);
                        bytes += chunk.length;
                    } catch (IOException full) {
                        Thread.sleep(50); // full: try again, to take whatever gets freed
                    }
                }
            } catch (IOException | InterruptedException e) {
                System.err.println("filler: " + e);
            }
        }

        public long bytes() {
            return bytes;
        }

        @Override
        public void close() throws Exception {
            stopped = true;
            thread.join(10_000);
            Files.deleteIfExists(file);
        }
    }

    /** Runs a command; null when it succeeded, else its exit code and output. */
    static String run(String... command) throws Exception {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? null : "exit " + p.exitValue() + ": " + output;
        } catch (IOException e) {
            return e.toString();
        }
    }
}
