package io.tieredarchive.source.integration;

import io.tieredarchive.source.copy.StreamHeapProbe;
import io.tieredarchive.testing.ChildLogs;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.tieredarchive.source.integration.CopyTestSupport.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stream copy's memory bound, measured on the heap rather than by the pool's own counter: a JVM of its own
 * ({@link StreamHeapProbe}) streams objects eight times larger than the bound between two buckets of a real S3
 * server (S3Proxy) through the task's copy machinery, sampling its live heap after full GCs. The heap the copy
 * holds must stay within the documented bound ({@code copy.concurrency x copy.part.size.bytes}), and within a little
 * of what the pool reports ({@code stream-buffer-peak-bytes}), with and without the SDK's request checksums.
 */
class BucketCopyStreamHeapIT {

    private static final int CONCURRENCY = 4;
    private static final long PART = 5 * MIB;
    /** Heap of the copy that no lease accounts for: its two clients, threads and metrics (measured: under 1 MiB). */
    private static final long UNLEASED_ALLOWANCE = 2 * MIB;

    @TempDir
    static Path tmp;
    private static S3ProxyServer store;
    private static S3AsyncClient client;

    @BeforeAll
    static void setUp() throws Exception {
        store = S3ProxyServer.startIn(tmp);
        client = CopyTestSupport.client(store, "source", "dest");
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            sizes.put("large/object-" + i + ".bin", 40 * MIB + i * 4099);
        }
        CopyTestSupport.seed(client, "source", sizes);
    }

    @AfterAll
    static void tearDown() throws Exception {
        Closing.closeAll(client, store);
    }

    @ParameterizedTest
    @ValueSource(strings = {"WHEN_SUPPORTED", "WHEN_REQUIRED"})
    void theHeapAStreamCopyHoldsStaysWithinItsBound(String checksumMode) throws Exception {
        Map<String, Long> result = probe(checksumMode);
        long heap = result.get("peak") - result.get("idle");
        long bound = CONCURRENCY * PART;
        assertEquals(4, result.get("copied"));
        assertEquals(bound, result.get("limit"));
        assertTrue(heap <= bound, "the copy held " + mib(heap) + " of heap, above its bound of " + mib(bound)
                + " (the pool counted a peak of " + mib(result.get("poolPeak")) + ")");
        assertTrue(heap <= result.get("poolPeak") + UNLEASED_ALLOWANCE, "the copy held " + mib(heap)
                + " of heap, but the pool counted a peak of only " + mib(result.get("poolPeak")));
        assertTrue(result.get("poolPeak") > PART, "parts were copied in parallel: " + mib(result.get("poolPeak")));
    }

    /** Runs the probe in a JVM of its own; its RESULT line as numbers. */
    private static Map<String, Long> probe(String checksumMode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = ChildLogs.file(tmp, "stream-heap-" + checksumMode + ".log");
        Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseG1GC", "-cp",
                System.getProperty("java.class.path"), StreamHeapProbe.class.getName(), store.endpoint(),
                store.accessKey(), store.secretKey(), "source", "large/", "dest", Integer.toString(CONCURRENCY),
                Long.toString(PART), checksumMode))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the probe did not finish; see " + log);
        } finally {
            process.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        Map<String, Long> values = new HashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("RESULT ")) {
                for (String pair : line.substring(7).trim().split(" ")) {
                    String[] kv = pair.split("=");
                    values.put(kv[0], Long.parseLong(kv[1]));
                }
            }
        }
        assertTrue(values.containsKey("peak"), "no RESULT line in " + output);
        return values;
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (double) MIB);
    }
}
