package io.tieredarchive.distribution.integration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code examples/quickstart.sh} itself, end to end, against the stack it starts: a real Kafka broker, a real
 * Connect worker ({@code plugin.discovery=service_load}) and S3Proxy as processes, the plugin package this build
 * just made unzipped into the worker's plugin path, everything driven through the REST API. It also checks that
 * the worker found the three connectors and the REST extension in the package. Free loopback ports and a stack directory under
 * {@code target/} keep it apart from a developer's own quickstart.
 */
class QuickstartIT {

    private static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
    private final Path stackDir = ROOT.resolve("distribution/target/quickstart-it");
    private Map<String, String> env;

    @Test
    void quickstartArchivesTiersReplaysAndComparesEqual() throws Exception {
        env = Map.of(
                "STACK_DIR", stackDir.toString(),
                "KAFKA_PORT", String.valueOf(freePort()),
                "CONTROLLER_PORT", String.valueOf(freePort()),
                "CONNECT_PORT", String.valueOf(freePort()),
                "S3_PORT", String.valueOf(freePort()),
                "QUICKSTART_SKIP_BUILD", "1",
                "QUICKSTART_RECORDS", "8000");
        Path output = Files.createDirectories(stackDir).resolve("quickstart-output.txt");
        int exit = run(List.of("bash", ROOT.resolve("examples/quickstart.sh").toString()), output, 15);
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, exit, "quickstart failed:\n" + printed);
        // The worker loaded the package with plugin.discovery=service_load: all three connectors are listed by
        // GET /connector-plugins, and the REST extension answered GET /tiered-archive/stats.
        for (String plugin : List.of("io.tieredarchive.sink.ArchiveSinkConnector",
                "io.tieredarchive.source.ArchiveReplaySourceConnector",
                "io.tieredarchive.source.BucketCopySourceConnector")) {
            assertTrue(printed.contains("plugin: " + plugin), "not found by the worker: " + plugin + "\n" + printed);
        }
        assertTrue(printed.contains("tiering service: {\"tiering\":[{"), printed);
        assertTrue(printed.contains("identical: 8000 records"), printed);
        assertTrue(printed.contains("quickstart OK"), printed);
        assertTrue(printed.contains("compression ratio"), printed);
    }

    @AfterEach
    void stopStack() throws Exception {
        if (env != null) {
            run(List.of("bash", ROOT.resolve("examples/quickstart.sh").toString(), "--down"),
                    stackDir.resolve("down-output.txt"), 2);
        }
    }

    private int run(List<String> command, Path output, int minutes) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().putAll(env);
        Process process = pb.start();
        if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + minutes + " minutes:\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
        return process.exitValue();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
