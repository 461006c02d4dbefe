package io.tieredarchive.integration;

import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.security.auth.login.Configuration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code /tiered-archive} endpoints behind Connect's own {@code BasicAuthSecurityRestExtension}, set up as
 * docs/operations.md tells an operator to: a JAAS {@code KafkaConnect} entry with Kafka's
 * {@code PropertyFileLoginModule} and a file of users, both extensions in {@code rest.extension.classes}. Every
 * endpoint refuses a caller without credentials, or with wrong ones (401), and serves one with them.
 *
 * <p>The worker is a real one in this JVM ({@link WorkerHandle}, what {@code EmbeddedConnectCluster} runs), started
 * directly: {@code EmbeddedConnectCluster} waits for {@code GET /health} to answer 200 without credentials, which a
 * worker with authentication never does.
 */
class TieredArchiveRestAuthIT {

    private static final String USER = "operator";
    private static final String PASSWORD = "op-secret-7";
    private static final String JAAS_FILE = "java.security.auth.login.config";

    @TempDir
    static Path tmp;
    static String previousJaasFile;
    static S3ProxyServer s3;
    static EmbeddedKafkaCluster kafka;
    static WorkerHandle worker;
    static RestCalls anonymous;
    static RestCalls operator;

    @BeforeAll
    static void start() throws Exception {
        Path users = Files.writeString(tmp.resolve("connect-users.properties"), USER + "=" + PASSWORD + "\n");
        Path jaas = Files.writeString(tmp.resolve("connect-jaas.conf"), """
                KafkaConnect {
                  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required
                  file="%s";
                };
                """.formatted(users));
        // What -Djava.security.auth.login.config=connect-jaas.conf does for a worker JVM, while the test runs. The
        // extension keeps the JVM's JAAS configuration from when its class was first loaded (possibly by an earlier
        // test's worker scanning its plugins), so that configuration is told to read the property again.
        previousJaasFile = System.setProperty(JAAS_FILE, jaas.toString());
        Configuration.getConfiguration().refresh();

        s3 = S3ProxyServer.startIn(tmp);
        S3TestConnections.create(s3, "auth");
        kafka = new EmbeddedKafkaCluster(1, new Properties());
        kafka.start();
        kafka.createTopic("unrelated", 1);
        Map<String, String> props = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "listeners", "HTTP://localhost:0",
                "group.id", "auth-it",
                "offset.storage.topic", "auth-it-offsets",
                "config.storage.topic", "auth-it-configs",
                "status.storage.topic", "auth-it-status",
                "key.converter", "org.apache.kafka.connect.storage.StringConverter",
                "value.converter", "org.apache.kafka.connect.storage.StringConverter",
                "rest.extension.classes", "org.apache.kafka.connect.rest.basic.auth.extension."
                        + "BasicAuthSecurityRestExtension,io.tieredarchive.rest.TieredArchiveRestExtension"));
        props.putAll(Map.of("offset.storage.replication.factor", "1", "config.storage.replication.factor", "1",
                "status.storage.replication.factor", "1", "plugin.discovery", "hybrid_fail"));
        worker = WorkerHandle.start("auth-worker", props);
        anonymous = new RestCalls(worker.url().toString());
        operator = anonymous.as(USER, PASSWORD);
        operator.await("health", a -> a.status() == 200, Duration.ofSeconds(90));
        operator.put("connectors/archiver/config", RestCalls.JSON.writeValueAsString(
                RestFixtures.connectorWithArchiveKeys(s3, s3.endpoint(), "auth", "archive"))).expect(201);
        operator.await("connectors/archiver/status", a -> a.status() == 200
                && a.json().path("tasks").path(0).path("state").asText().equals("RUNNING"), Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(worker == null ? null : worker::stop, Closing.stopping(kafka), s3, () -> {
            if (previousJaasFile == null) {
                System.clearProperty(JAAS_FILE);
            } else {
                System.setProperty(JAAS_FILE, previousJaasFile);
            }
            Configuration.getConfiguration().refresh();
        });
    }

    /** Each endpoint, as a call, and the status it answers an authenticated caller. */
    private static final List<Map.Entry<Function<RestCalls, RestCalls.Answer>, Integer>> ENDPOINTS = List.of(
            Map.entry(c -> c.get("tiered-archive/stats"), 200),
            // nothing of 'orders' is archived yet: the extension's own 404 naming the topic
            Map.entry(c -> c.get("tiered-archive/segments/orders/0?connector=archiver"), 404),
            Map.entry(c -> c.post("tiered-archive/archive", "{}"), 202),
            // restore is off on this worker (no root): the 403 and its message are the extension's own
            Map.entry(c -> c.post("tiered-archive/restore", "{\"connector\": \"archiver\", \"topic\": \"orders\", "
                    + "\"partition\": 0, \"directory\": \"x\"}"), 403),
            Map.entry(c -> c.get("tiered-archive/restore/some-job"), 404));

    @Test
    void everyEndpointRefusesACallerWithoutCredentials() {
        RestCalls wrongPassword = anonymous.as(USER, "guess");
        RestCalls unknownUser = anonymous.as("intruder", PASSWORD);
        for (var endpoint : ENDPOINTS) {
            for (RestCalls caller : List.of(anonymous, wrongPassword, unknownUser)) {
                RestCalls.Answer answer = endpoint.getKey().apply(caller);
                assertEquals(401, answer.status(), answer.toString());
            }
        }
    }

    @Test
    void everyEndpointServesACallerWithCredentials() {
        for (var endpoint : ENDPOINTS) {
            RestCalls.Answer answer = endpoint.getKey().apply(operator);
            assertEquals((int) endpoint.getValue(), answer.status(), answer.toString());
            assertTrue(answer.json().isObject(), answer.toString());
        }
        assertTrue(operator.post("tiered-archive/restore", "{}").json().get("message").asText()
                .contains("tiered.archive.rest.restore.root"), "the extension's own answer, past authentication");
    }
}
