package io.tieredarchive.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The jars of a Kafka Connect worker of one version, from Maven Central: {@code compat/worker/pom.xml} resolves them
 * with the dependency plugin (the way {@code examples/stack/pom.xml} resolves the quickstart's stack) into
 * {@code compat/target/workers/<version>/classpath.txt}, once. Maven runs as the build that runs the tests does,
 * with the same installation and local repository: offline first (the jars are usually there after the first run),
 * then online.
 */
public final class WorkerJars {

    private static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    private WorkerJars() {
    }

    /** The versions to test: {@code -Dcompat.workers=3.7.2,4.1.2} (the pom sets them). */
    public static List<String> versions() {
        return Arrays.stream(System.getProperty("compat.workers", "3.7.2").split(","))
                .map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    /** The oldest worker line the plugin supports. */
    public static String oldest() {
        return System.getProperty("compat.oldest.worker", "3.7.2");
    }

    /** The class path of a worker of {@code version}, resolving its jars first if this build has not yet. */
    public static synchronized String classPath(String version) {
        Path dir = ROOT.resolve("compat/target/workers").resolve(version);
        Path classPath = dir.resolve("classpath.txt");
        try {
            if (!complete(dir, version)) {
                resolve(version, dir);
            }
            return Files.readString(classPath, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jar files of a worker of {@code version}. */
    public static List<Path> jars(String version) {
        return Arrays.stream(classPath(version).split(java.io.File.pathSeparator)).map(Path::of).toList();
    }

    /** Major and minor version: 3.7.2 is {3, 7}. */
    public static int[] line(String version) {
        String[] parts = version.split("\\.");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    /** True when {@code version} is {@code major.minor} or later. */
    public static boolean atLeast(String version, int major, int minor) {
        int[] line = line(version);
        return line[0] > major || (line[0] == major && line[1] >= minor);
    }

    private static void resolve(String version, Path dir) throws IOException {
        Files.createDirectories(dir);
        String mavenHome = System.getProperty("compat.maven.home", "");
        String mvn = mavenHome.isBlank() ? "mvn" : Path.of(mavenHome, "bin", "mvn").toString();
        List<String> command = new ArrayList<>(List.of(mvn, "-B", "-q", "-f",
                ROOT.resolve("compat/worker/pom.xml").toString(), "generate-resources",
                "-Dworker.kafka.version=" + version, "-Dworker.dir=" + dir,
                "-Dworker.logging=" + (atLeast(version, 4, 0) ? "log4j2" : "reload4j")));
        String repo = System.getProperty("compat.maven.repo", "");
        if (!repo.isBlank()) {
            command.add("-Dmaven.repo.local=" + repo);
        }
        List<String> offline = new ArrayList<>(command);
        offline.add("-o");
        Path output = dir.resolve("resolve.log");
        // Offline, Maven takes an artifact whose POM is missing from the local repository as one without
        // dependencies: a worker is complete only when its kafka-clients came with it.
        if ((run(offline, output) != 0 || !complete(dir, version)) && (run(command, output) != 0
                || !complete(dir, version))) {
            throw new IllegalStateException("Cannot resolve the jars of a Kafka " + version + " Connect worker ("
                    + String.join(" ", command) + "):\n" + Files.readString(output, StandardCharsets.UTF_8));
        }
    }

    private static boolean complete(Path dir, String version) throws IOException {
        Path classPath = dir.resolve("classpath.txt");
        return Files.exists(classPath)
                && Files.readString(classPath, StandardCharsets.UTF_8).contains("kafka-clients-" + version + ".jar");
    }

    private static int run(List<String> command, Path output) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        try {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: " + command, e);
        }
    }
}
