package io.tieredarchive.source;

import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BucketCopySourceConnectorTest {

    @Test
    void eachTaskGetsItsOwnShard() {
        BucketCopySourceConnector connector = new BucketCopySourceConnector();
        connector.start(BucketCopySourceConfigTest.props());
        List<Map<String, String>> configs = connector.taskConfigs(3);
        assertEquals(3, configs.size());
        Set<String> shards = new HashSet<>();
        for (Map<String, String> c : configs) {
            assertEquals("3", c.get(BucketCopySourceConfig.TASK_SHARDS));
            shards.add(c.get(BucketCopySourceConfig.TASK_SHARD));
            assertEquals("src", c.get("source.s3.bucket"));
        }
        assertEquals(Set.of("0", "1", "2"), shards);
        assertEquals(BucketCopySourceTask.class, connector.taskClass());
        assertNotEquals("", connector.version());
    }

    @Test
    void alterOffsetsAcceptsKeysAndResetsAndRefusesOtherShapes() {
        BucketCopySourceConnector connector = new BucketCopySourceConnector();
        Map<String, Object> partition = CopyEvents.partition("src", "data", 0, 1);
        assertTrue(connector.alterOffsets(Map.of(), Map.of(partition, Map.of("after", "data/k.bin"))));
        java.util.HashMap<Map<String, ?>, Map<String, ?>> reset = new java.util.HashMap<>();
        reset.put(partition, null);
        assertTrue(connector.alterOffsets(Map.of(), reset));
        assertThrows(ConnectException.class,
                () -> connector.alterOffsets(Map.of(), Map.of(partition, Map.of("after", 42))));
        assertThrows(ConnectException.class,
                () -> connector.alterOffsets(Map.of(), Map.of(Map.of("bucket", "src"), Map.of("after", "k"))));
    }
}
