package io.tieredarchive.source;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchiveReplaySourceConnectorTest {

    private final ArchiveReplaySourceConnector connector = new ArchiveReplaySourceConnector();

    @Test
    void declaresExactlyOnceSupportAndLeavesBoundariesToConnect() {
        assertEquals(ExactlyOnceSupport.SUPPORTED, connector.exactlyOnceSupport(Map.of()));
        assertEquals(ConnectorTransactionBoundaries.UNSUPPORTED, connector.canDefineTransactionBoundaries(Map.of()));
        assertEquals(ArchiveReplaySourceTask.class, connector.taskClass());
        assertFalse(connector.version().isBlank());
    }

    @Test
    void acceptsOnlyOffsetsOfItsOwnShape() {
        Map<String, Object> partition = Map.of("topic", "orders", "partition", 2);
        assertTrue(connector.alterOffsets(Map.of(), Map.of(partition, Map.of("offset", 1234L))));
        Map<Map<String, ?>, Map<String, ?>> reset = new HashMap<>();
        reset.put(partition, null);
        assertTrue(connector.alterOffsets(Map.of(), reset), "a null offset starts the partition over");
        assertThrows(ConnectException.class,
                () -> connector.alterOffsets(Map.of(), Map.of(partition, Map.of("offset", "x"))));
        assertThrows(ConnectException.class,
                () -> connector.alterOffsets(Map.of(), Map.of(partition, Map.of("offset", -1))));
        assertThrows(ConnectException.class, () -> connector.alterOffsets(Map.of(),
                Map.of(Map.of("topic", "orders"), Map.of("offset", 1L))));
    }
}
