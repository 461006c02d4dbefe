package io.tieredarchive.sink;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import io.tieredarchive.tier.LocalDirOwner;
import io.tieredarchive.config.VersionInfo;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchiveSinkConnectorTest {

    static Map<String, String> valid() {
        return new HashMap<>(Map.of("name", "archive", "topics", "t", "s3.bucket", "archive",
                "local.dir", "/var/lib/archive", "kafka.bootstrap.servers", "kafka-1:9092,kafka-2:9092"));
    }

    /** The error messages of the validation, by key, only for keys that have any. */
    static Map<String, List<String>> errors(Map<String, String> props) {
        Config config = new ArchiveSinkConnector().validate(props);
        return config.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
    }

    @Test
    void aValidConfigHasNoErrors() {
        assertEquals(Map.of(), errors(valid()));
    }

    @Test
    void localDirIsRequired() {
        Map<String, String> props = valid();
        props.remove("local.dir");
        Map<String, List<String>> errors = errors(props);
        assertEquals(List.of("local.dir"), List.copyOf(errors.keySet()));
        assertTrue(errors.get("local.dir").get(0).contains("local.dir"), errors.toString());
    }

    @Test
    void kafkaBootstrapServersIsRequiredAndMustBeHostsAndPorts() {
        Map<String, String> props = valid();
        props.remove("kafka.bootstrap.servers");
        Map<String, List<String>> errors = errors(props);
        assertEquals(List.of("kafka.bootstrap.servers"), List.copyOf(errors.keySet()));
        assertEquals(1, errors.get("kafka.bootstrap.servers").size(), errors.toString());
        props.put("kafka.bootstrap.servers", "kafka-1:9092,kafka-2");
        errors = errors(props);
        assertEquals(List.of("kafka.bootstrap.servers"), List.copyOf(errors.keySet()));
        assertTrue(errors.get("kafka.bootstrap.servers").get(0).contains("'kafka-2' is not host:port"),
                errors.toString());
    }

    @Test
    void s3BucketIsRequired() {
        Map<String, String> props = valid();
        props.remove("s3.bucket");
        assertEquals(List.of("s3.bucket"), List.copyOf(errors(props).keySet()));
    }

    @Test
    void anUnknownCodecIsRefusedOnItsKey() {
        Map<String, String> props = valid();
        props.put("compression.type", "brotli");
        Map<String, List<String>> errors = errors(props);
        assertEquals(List.of("compression.type"), List.copyOf(errors.keySet()));
        assertTrue(errors.get("compression.type").get(0).contains("brotli"), errors.toString());
    }

    @Test
    void segmentBytesMustHoldABatch() {
        Map<String, String> props = valid();
        props.put("segment.bytes", Integer.toString(100 * 1024));
        props.put("batch.bytes", Integer.toString(200 * 1024));
        Map<String, List<String>> errors = errors(props);
        assertEquals(List.of("segment.bytes"), List.copyOf(errors.keySet()));
        assertTrue(errors.get("segment.bytes").get(0).contains("batch.bytes"), errors.toString());
    }

    @Test
    void crossFieldChecksOfTheS3KeysAndTheCodecLevelNameTheirKeys() {
        Map<String, String> props = valid();
        props.put("s3.access.key.id", "AKIA");
        props.put("compression.type", "snappy");
        props.put("compression.level", "3");
        assertEquals(Map.of("s3.secret.access.key", 1, "compression.level", 1), errors(props).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size())));
    }

    @Test
    void eachTaskGetsTheConfigAndItsIndex() {
        ArchiveSinkConnector connector = new ArchiveSinkConnector();
        connector.start(valid());
        List<Map<String, String>> configs = connector.taskConfigs(3);
        assertEquals(3, configs.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(Integer.toString(i), configs.get(i).get(ArchiveSinkConfig.TASK_INDEX));
            assertEquals("/var/lib/archive", configs.get(i).get("local.dir"));
            assertEquals(i, new ArchiveSinkConfig(configs.get(i)).taskIndex());
        }
        assertEquals(ArchiveSinkTask.class, connector.taskClass());
        assertEquals(VersionInfo.version(), connector.version());
        assertTrue(!connector.version().equals("unknown"), "the version comes from the build");
    }

    @Test
    void aLocalDirOwnedByAnotherConnectorArchivingElsewhereIsRefusedNamingBoth(@TempDir Path localDir)
            throws Exception {
        LocalDirOwner.claim(localDir, "orders-archive", "s3://orders/", System.currentTimeMillis());
        Map<String, String> props = valid();
        props.put("local.dir", localDir.toString());
        props.put("name", "payments-archive");
        props.put("s3.bucket", "payments");
        List<String> errors = errors(props).get("local.dir");
        assertEquals(1, errors.size(), String.valueOf(errors));
        assertTrue(errors.get(0).contains("'orders-archive'") && errors.get(0).contains("s3://orders/")
                && errors.get(0).contains("'payments-archive'") && errors.get(0).contains("s3://payments/"),
                errors.get(0));
        props.put("name", "orders-archive");
        assertEquals(Map.of(), errors(props), "the owner itself with a changed bucket: a config change");
        LocalDirOwner.claim(localDir, "orders-archive", "s3://orders/",
                System.currentTimeMillis() - LocalDirOwner.LIVE_MS);
        props.put("name", "payments-archive");
        assertEquals(Map.of(), errors(props), "an owner that no longer runs leaves a local.dir others may take");
    }
}
