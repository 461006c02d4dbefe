package io.tieredarchive.reliability.secrets.integration;

import io.tieredarchive.cli.TieredArchiveCli;
import io.tieredarchive.reliability.ConnectClusters;
import io.tieredarchive.reliability.config.BadValueCases;
import io.tieredarchive.reliability.config.ConfigValidationWalkTest;
import io.tieredarchive.reliability.secrets.SecretScanner;
import io.tieredarchive.reliability.secrets.Secrets;
import io.tieredarchive.sink.ArchiveSinkConnector;
import io.tieredarchive.source.ArchiveReplaySourceConnector;
import io.tieredarchive.source.BucketCopySourceConnector;
import io.tieredarchive.source.integration.ReplayItSupport;
import io.tieredarchive.testing.CapturedLogs;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.InProcessConnect;
import io.tieredarchive.testing.KafkaTopics;
import io.tieredarchive.testing.S3ProxyServer;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.tieredarchive.reliability.secrets.Secrets.RELIABILITY_SECRET;
import static io.tieredarchive.reliability.secrets.Secrets.WRONG_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The secret key never leaves the configuration: a real worker runs the three connectors with distinctive secrets
 * against an S3Proxy that knows one of them, and errors are forced (a wrong secret: access denied; an endpoint
 * where nothing listens). Then the secrets must not be in the connectors' status traces, Connect's validate
 * responses, our REST extension's answers, any JMX name or attribute, the CLI's output or the captured logs.
 * Connect itself returns a connector's config as posted ({@code GET /connectors/<n>/config}); that is Connect's
 * behaviour, documented in docs/operations.md#secrets with the remedy (a config provider), and asserted here so the
 * documentation stays true.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsIT {

    static final String BUCKET = "secrets";
    static final String ACCESS = "rel-access-id";

    @TempDir
    static Path tempDir;
    private S3ProxyServer s3;
    private EmbeddedConnectCluster connect;
    private CapturedLogs logs;
    private String deadEndpoint;

    @BeforeAll
    void setUp() throws Exception {
        logs = new CapturedLogs();
        s3 = new S3ProxyServer(Files.createDirectories(tempDir.resolve("s3")), ACCESS, RELIABILITY_SECRET);
        s3.start();
        Files.createDirectories(s3.bucketDir(BUCKET));
        Files.createDirectories(s3.bucketDir("copy-to"));
        try (ServerSocket closed = new ServerSocket(0)) {
            deadEndpoint = "http://127.0.0.1:" + closed.getLocalPort();
        }
        connect = InProcessConnect.named("secrets").byteArrayConverters().workerProps(Map.of("rest.extension.classes",
                "io.tieredarchive.rest.TieredArchiveRestExtension", "tiered.archive.rest.restore.root",
                tempDir.resolve("restore-root").toString())).start();
        KafkaTopics.create(connect.kafka(), "plain", 1);
        for (int i = 0; i < 50; i++) {
            connect.kafka().produce("plain", "k" + i, "v" + i);
        }
        startConnectors();
    }

    @AfterAll
    void tearDown() throws Exception {
        Closing.closeAll(Closing.stopping(connect), s3, logs);
    }

    private Map<String, String> s3Keys(String prefix, String secret, String endpoint) {
        Map<String, String> c = ConnectClusters.s3Keys(prefix, s3, BUCKET, "archive");
        c.put(prefix + "s3.access.key.id", ACCESS);
        c.put(prefix + "s3.secret.access.key", secret);
        c.put(prefix + "s3.endpoint", endpoint);
        return c;
    }

    private Map<String, String> sink(String secret, String endpoint) {
        Map<String, String> c = s3Keys("", secret, endpoint);
        c.put("connector.class", ArchiveSinkConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("topics", "plain");
        c.put("local.dir", tempDir.resolve("local-" + secret.hashCode()).toString());
        c.put("kafka.bootstrap.servers", connect.kafka().bootstrapServers());
        c.put("segment.ms", "1000");
        return c;
    }

    private Map<String, String> replay(String secret, String endpoint) {
        Map<String, String> c = s3Keys("", secret, endpoint);
        c.put("connector.class", ArchiveReplaySourceConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("replay.topics", "plain");
        c.put("replay.topic.format", "${topic}.replayed");
        c.put("kafka.bootstrap.servers", connect.kafka().bootstrapServers());
        return c;
    }

    private Map<String, String> copy(String destinationSecret) {
        Map<String, String> c = new HashMap<>(s3Keys("source.", RELIABILITY_SECRET, s3.endpoint()));
        c.putAll(s3Keys("destination.", destinationSecret, s3.endpoint()));
        c.put("destination.s3.bucket", "copy-to");
        c.put("connector.class", BucketCopySourceConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("copy.events.topic", "copy-events");
        c.put("copy.mode", "stream");
        c.put("topic.creation.default.replication.factor", "1");
        c.put("topic.creation.default.partitions", "1");
        return c;
    }

    private void startConnectors() throws Exception {
        // A source object for the copy, put with the right keys.
        Files.writeString(Files.createDirectories(s3.bucketDir(BUCKET).resolve("archive")).resolve("obj.bin"), "x");
        connect.configureConnector("sink-denied", sink(WRONG_SECRET, s3.endpoint()));
        connect.configureConnector("sink-unreachable", sink(RELIABILITY_SECRET, deadEndpoint));
        connect.configureConnector("replay-denied", replay(WRONG_SECRET, s3.endpoint()));
        connect.configureConnector("replay-unreachable", replay(RELIABILITY_SECRET, deadEndpoint));
        connect.configureConnector("copy-denied", copy(WRONG_SECRET));
        ReplayItSupport.awaitFailure(connect, "replay-denied", java.time.Duration.ofSeconds(60));
        ReplayItSupport.awaitFailure(connect, "copy-denied", java.time.Duration.ofSeconds(60));
        Thread.sleep(5_000); // the sinks seal, try to upload and retry; the unreachable replay retries
    }

    private static final List<String> CONNECTORS = List.of("sink-denied", "sink-unreachable", "replay-denied",
            "replay-unreachable", "copy-denied");

    /** Fails when {@code text} holds a secret; the failure shows where, with the secret masked. */
    private static void assertNoSecret(String where, String text) {
        for (String secret : Secrets.all()) {
            int at = text.indexOf(secret);
            if (at >= 0) {
                throw new AssertionError(where + " holds the secret " + SecretScanner.mask(secret) + ": ..."
                        + text.substring(Math.max(0, at - 300), Math.min(text.length(), at + 100))
                        .replace(secret, SecretScanner.mask(secret)) + "...");
            }
        }
    }

    @Test
    void statusTracesNameTheProblemButNotTheSecret() {
        String replayTrace = ReplayItSupport.failureTrace(connect, "replay-denied").orElseThrow();
        String copyTrace = ReplayItSupport.failureTrace(connect, "copy-denied").orElseThrow();
        assertTrue(copyTrace.contains(ACCESS), "the access key id is named: " + copyTrace);
        for (String name : CONNECTORS) {
            assertNoSecret(name + " status", ReplayItSupport.safeStatus(connect, name)
                    + ReplayItSupport.failureTrace(connect, name).orElse(""));
        }
        assertNoSecret("replay trace", replayTrace);
    }

    @Test
    void connectsValidateHidesThePasswordAndGetConfigReturnsItAsPostedAsDocumented() {
        Map<String, String> bad = sink(WRONG_SECRET, s3.endpoint());
        bad.put("segment.bytes", "not-a-number");
        ConfigInfos infos = connect.validateConnectorConfig(ArchiveSinkConnector.class.getSimpleName(), bad);
        assertTrue(infos.errorCount() > 0);
        assertNoSecret("PUT /connector-plugins/.../config/validate", infos.toString());
        // Connect's own behaviour (docs/operations.md#secrets): the posted config comes back as posted.
        assertEquals(WRONG_SECRET, connect.connectorInfo("sink-denied").config().get("s3.secret.access.key"));
    }

    /**
     * A few of {@code ConfigValidationWalkTest}'s generated bad values through Connect's REST validate endpoint on
     * this worker: the error is on the key, and names it, there too.
     */
    @Test
    void restValidateReportsGeneratedBadValuesOnTheirKey() {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, java.util.function.Supplier<org.apache.kafka.connect.connector.Connector>> c
                : ConfigValidationWalkTest.connectors().entrySet()) {
            List<BadValueCases.Case> cases = new java.util.TreeMap<>(c.getValue().get().config().configKeys())
                    .values().stream().flatMap(k -> BadValueCases.of(k).stream()).toList();
            for (int i = 0; i < cases.size(); i += Math.max(1, cases.size() / 4)) {
                BadValueCases.Case bad = cases.get(i);
                Map<String, String> config = new HashMap<>(ConfigValidationWalkTest.baseline(c.getKey()));
                config.put("name", "validate-" + checked);
                config.put("connector.class", c.getKey());
                config.put(bad.key(), bad.value());
                ConfigInfos infos = connect.validateConnectorConfig(c.getKey(), config);
                List<String> errors = infos.configs().stream().filter(v -> v.configValue().name().equals(bad.key()))
                        .flatMap(v -> v.configValue().errors().stream()).toList();
                // Kafka's ConfigDef also runs the validator on the unparsable value (as null): two messages
                // on the key for a wrong type, both naming it.
                if (errors.isEmpty() || !errors.stream().allMatch(m -> m.contains(bad.key()))
                        || infos.errorCount() != errors.size()) {
                    problems.add(c.getKey() + " " + bad + ": " + infos.errorCount() + " error(s), on the key: "
                            + errors);
                }
                checked++;
            }
        }
        assertTrue(checked >= 12, checked + " checked");
        assertEquals(List.of(), problems);
    }

    @Test
    void ourRestExtensionNeverAnswersWithTheSecret() throws Exception {
        List<String> bodies = new ArrayList<>();
        bodies.add(body(connect.requestGet(connect.endpointForResource("tiered-archive/stats"))));
        for (String name : CONNECTORS) {
            bodies.add(body(connect.requestGet(connect.endpointForResource(
                    "tiered-archive/segments/plain/0?connector=" + name))));
            String job = body(connect.requestPost(connect.endpointForResource("tiered-archive/restore"),
                    "{\"topic\":\"plain\",\"partition\":0,\"connector\":\"" + name + "\",\"directory\":\""
                            + "restored-" + name + "\"}",
                    Map.of("Content-Type", "application/json")));
            bodies.add(job);
            bodies.add(finishedRestore(job)); // a restore is a job: its error is in its status
        }
        bodies.add(body(connect.requestPost(connect.endpointForResource("tiered-archive/archive"), "{}",
                Map.of("Content-Type", "application/json"))));
        String all = String.join("\n", bodies);
        System.out.println("REST extension answers:\n" + all);
        assertTrue(all.contains("403") || all.toLowerCase(java.util.Locale.ROOT).contains("denied")
                || all.contains("SignatureDoesNotMatch"), "the denied store's error is reported: " + all);
        assertNoSecret("REST extension", all);
    }

    /** The last status of the restore job that {@code accepted} ("202 {...}") started; "" if none started. */
    private String finishedRestore(String accepted) throws Exception {
        if (!accepted.startsWith("202 ")) {
            return "";
        }
        String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(accepted.substring(4)).get("id")
                .asText();
        String status = "";
        for (int i = 0; i < 600 && !status.matches("(?s).*\"state\":\"(SUCCEEDED|FAILED)\".*"); i++) {
            Thread.sleep(100);
            status = body(connect.requestGet(connect.endpointForResource("tiered-archive/restore/" + id)));
        }
        return status;
    }

    private static String body(jakarta.ws.rs.core.Response r) {
        return r.getStatus() + " " + r.getEntity();
    }

    @Test
    void noJmxNameOrAttributeHoldsTheSecret() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        int attributes = 0;
        StringBuilder all = new StringBuilder();
        for (ObjectName name : server.queryNames(null, null)) {
            all.append(name).append('\n');
            for (MBeanAttributeInfo info : server.getMBeanInfo(name).getAttributes()) {
                try {
                    all.append(name).append('.').append(info.getName()).append('=')
                            .append(server.getAttribute(name, info.getName())).append('\n');
                    attributes++;
                } catch (Exception | Error unreadable) {
                    // some platform attributes are unsupported; they cannot hold a config value either
                }
            }
        }
        assertTrue(all.indexOf("connector=sink-denied") >= 0, "the plugins' metrics are registered");
        assertTrue(attributes > 100, attributes + " attributes read");
        assertNoSecret("JMX", all.toString());
    }

    @Test
    void theCliNeverPrintsTheSecret() throws Exception {
        Path config = tempDir.resolve("cli.properties");
        StringBuilder props = new StringBuilder();
        s3Keys("", WRONG_SECRET, s3.endpoint()).forEach((k, v) -> props.append(k).append('=').append(v)
                .append('\n'));
        Files.writeString(config, props.toString(), StandardCharsets.UTF_8);
        List<String[]> runs = List.of(
                new String[] {"ls", "-c", config.toString()},
                new String[] {"verify", "plain", "0", "-c", config.toString()},
                new String[] {"ls", "--set", "s3.bucket=" + BUCKET, "--set", "s3.endpoint=" + deadEndpoint,
                        "--set", "s3.path.style.access=true", "--set", "s3.retry.max.attempts=1",
                        "--set", "s3.access.key.id=" + ACCESS, "--set", "s3.secret.access.key=" + RELIABILITY_SECRET},
                new String[] {"ls", "-c", config.toString(), "--set", "s3.part.size.bytes=huge"},
                new String[] {"ls", "-c", config.toString(), "--set", "s3.secret.access.key=" + RELIABILITY_SECRET,
                        "--set", "s3.access.key.id="},
                new String[] {"ls", "-c", config.toString(), "--set", "s3.secret.access.key:" + RELIABILITY_SECRET},
                new String[] {"restore", "plain", "0", "--output", tempDir.resolve("cli-out").toString(),
                        "--no-progress", "-c", config.toString()});
        for (String[] args : runs) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = TieredArchiveCli.run(new PrintWriter(out), new PrintWriter(err), args);
            String printed = out + "" + err;
            System.out.println("CLI " + String.join(" ", args).replace(RELIABILITY_SECRET, "<s>")
                    .replace(WRONG_SECRET, "<w>") + " -> " + code + ": " + printed.replace(RELIABILITY_SECRET, "<s>")
                    .replace(WRONG_SECRET, "<w>").replace('\n', '|'));
            assertTrue(code != 0, "every run above fails: " + printed);
            assertNoSecret("tiered-archive " + args[0] + " output", printed);
        }
    }

    @Test
    void theCapturedLogsHoldNoSecret() {
        String text = logs.text();
        assertTrue(text.contains("sink-denied") && text.length() > 10_000, "the worker's logs were captured");
        assertNoSecret("the captured logs", text);
    }
}
