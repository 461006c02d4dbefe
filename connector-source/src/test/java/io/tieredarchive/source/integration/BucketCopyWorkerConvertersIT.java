package io.tieredarchive.source.integration;

import com.fasterxml.jackson.databind.JsonNode;
import io.tieredarchive.source.integration.CopyTestSupport.Seeded;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.S3ProxyServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.test.TestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A bucket copy configured without converters, on a worker whose default converters are ByteArrayConverter (what the
 * README tells archive users to set), StringConverter or JsonConverter (schemas on, its default): every object is
 * copied, its event is written and readable as JSON, and the resume point is committed, so a restart copies nothing
 * again. One Connect cluster at a time, one per worker configuration.
 */
class BucketCopyWorkerConvertersIT {

    private static final int OBJECTS = 40;

    /** A worker's default converters, and how its events' keys and values read back as text and JSON. */
    enum WorkerConverters {
        BYTE_ARRAY("org.apache.kafka.connect.converters.ByteArrayConverter", Function.identity()),
        STRING("org.apache.kafka.connect.storage.StringConverter", Function.identity()),
        JSON_WITH_SCHEMAS("org.apache.kafka.connect.json.JsonConverter", envelope -> envelope.get("payload"));

        private final String converterClass;
        private final Function<JsonNode, JsonNode> payload;

        WorkerConverters(String converterClass, Function<JsonNode, JsonNode> payload) {
            this.converterClass = converterClass;
            this.payload = payload;
        }

        String key(byte[] bytes) throws Exception {
            if (this == JSON_WITH_SCHEMAS) {
                return payload.apply(CopyTestSupport.JSON.readTree(bytes)).asText();
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }

        JsonNode value(byte[] bytes) throws Exception {
            return payload.apply(CopyTestSupport.JSON.readTree(bytes));
        }
    }

    @TempDir
    static Path tmp;
    private static S3ProxyServer store;
    private static S3AsyncClient client;
    private static List<Seeded> seeded;

    @BeforeAll
    static void setUp() throws Exception {
        store = S3ProxyServer.startIn(tmp);
        client = CopyTestSupport.client(store, "source", "dest");
        seeded = CopyTestSupport.seed(client, "source", CopyTestSupport.smallObjects("data", OBJECTS));
    }

    @AfterAll
    static void tearDown() throws Exception {
        Closing.closeAll(client, store);
    }

    @ParameterizedTest
    @EnumSource(WorkerConverters.class)
    void copiesAndRecordsEveryObjectWithTheWorkersDefaultConverters(WorkerConverters converters) throws Exception {
        Map<String, String> workerProps = new HashMap<>();
        workerProps.put("key.converter", converters.converterClass);
        workerProps.put("value.converter", converters.converterClass);
        if (converters == WorkerConverters.BYTE_ARRAY) {
            workerProps.put("header.converter", converters.converterClass);
        }
        String offsetsTopic = "copy-converters-" + converters + "-offsets";
        workerProps.put("offset.storage.topic", offsetsTopic);
        EmbeddedConnectCluster connect = CopyTestSupport.connect("copy-converters-" + converters).workerProps(workerProps)
                .start();
        try {
            String name = "copy-" + converters.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            String topic = name + "-events";
            String destinationPrefix = "copied-" + converters.name();
            Map<String, String> config = CopyTestSupport.connectorConfig(topic, store, "source", "data", store,
                    "dest", destinationPrefix);
            config.remove("key.converter");
            config.remove("value.converter");
            config.remove("value.converter.schemas.enable");
            connect.configureConnector(name, config);

            List<ConsumerRecord<byte[], byte[]>> records = awaitEventsOrTaskFailure(connect, name, topic);
            Map<String, JsonNode> events = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                JsonNode value = converters.value(r.value());
                assertTrue(value != null && value.isObject(), "an event is a JSON object: "
                        + new String(r.value(), StandardCharsets.UTF_8));
                String key = converters.key(r.key());
                assertTrue(events.put(key, value) == null, "one event per object: " + key);
                assertEquals("copied", value.get("status").asText(), value.toString());
                assertEquals("s3://source/" + key, value.get("source").asText(), value.toString());
            }
            assertEquals(seeded.stream().map(Seeded::key).sorted().toList(),
                    events.keySet().stream().sorted().toList());
            CopyTestSupport.assertCopied(client, "dest", "data", destinationPrefix, seeded);

            // The resume point is committed: after a restart the task lists from after the last key.
            String lastKey = seeded.stream().map(Seeded::key)
                    .max(Comparator.comparing(k -> k.getBytes(StandardCharsets.UTF_8), java.util.Arrays::compareUnsigned))
                    .orElseThrow();
            TestUtils.waitForCondition(() -> lastKey.equals(committedAfter(connect, offsetsTopic, name)), 30_000,
                    () -> "the committed resume point reaches " + lastKey);
            connect.deleteConnector(name);
        } finally {
            connect.stop();
        }
    }

    /** Every event of the copy, or a failure with the task's trace as soon as the task fails. */
    private static List<ConsumerRecord<byte[], byte[]>> awaitEventsOrTaskFailure(EmbeddedConnectCluster connect,
                                                                                 String name, String topic)
            throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (Admin admin = connect.kafka().createAdminClient()) {
            while (records.size() < OBJECTS) {
                failIfATaskFailed(connect, name);
                if (System.nanoTime() - deadline > 0) {
                    fail(records.size() + " of " + OBJECTS + " events in " + topic + " after 90 s");
                }
                Thread.sleep(500);
                if (admin.listTopics().names().get().contains(topic)) {
                    records.clear();
                    connect.kafka().consumeAll(10_000, topic).forEach(records::add);
                }
            }
        }
        return records;
    }

    private static void failIfATaskFailed(EmbeddedConnectCluster connect, String name) {
        ConnectorStateInfo status;
        try {
            status = connect.connectorStatus(name);
        } catch (RuntimeException notYetThere) {
            return;
        }
        for (ConnectorStateInfo.TaskState task : status.tasks()) {
            if ("FAILED".equals(task.state())) {
                fail("Task " + task.id() + " of " + name + " failed: " + task.trace());
            }
        }
    }

    /**
     * The last resume point the worker committed for the connector, read from the offsets topic (Connect's REST
     * offsets endpoint looks partitions up by the JSON of a re-ordered map, and so shows null offsets for them).
     */
    private static String committedAfter(EmbeddedConnectCluster connect, String offsetsTopic, String name)
            throws Exception {
        String after = null;
        for (ConsumerRecord<byte[], byte[]> r : connect.kafka().consumeAll(10_000, offsetsTopic)) {
            JsonNode key = CopyTestSupport.JSON.readTree(r.key());
            if (name.equals(key.get(0).asText()) && r.value() != null) {
                after = CopyTestSupport.JSON.readTree(r.value()).get("after").asText();
            }
        }
        return after;
    }
}
