package io.tieredarchive.source.integration;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * With {@code exactly.once.source.support=enabled} on the workers and {@code exactly.once.support=required} on the
 * connector (Connect refuses it unless the connector declares support): three worker restarts in the middle of a
 * replay leave every partition of the target, as a read-committed consumer sees it, exactly equal to the archive:
 * each offset once, in order.
 */
class ReplayExactlyOnceRestartIT extends ReplayRestartBase {

    @Override
    Map<String, String> workerProps() {
        // A cancelled task leaves its transaction open in the offsets topic, which the next worker reads to the end
        // (read-committed) before it starts: it waits until the transaction times out, 60 s by default.
        return Map.of("exactly.once.source.support", "enabled", "producer.transaction.timeout.ms", "10000");
    }

    @Override
    Map<String, String> connectorProps() {
        return Map.of("exactly.once.support", "required", "transaction.boundary", "poll");
    }

    @Override
    int batchRecords() {
        return 1000;
    }

    @Test
    void noDuplicateAndNoGapAcrossThreeWorkerRestarts() throws Exception {
        Map<Integer, List<Long>> replayed = replayWithRestarts();
        for (int p = 0; p < PARTITIONS; p++) {
            assertEquals(io.tieredarchive.source.testing.TestArchives.offsets(0, PER_PARTITION), replayed.get(p),
                    "partition " + p + ": every archived offset once, in order");
        }
    }
}
