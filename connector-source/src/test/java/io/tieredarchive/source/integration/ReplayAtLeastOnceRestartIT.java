package io.tieredarchive.source.integration;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without exactly-once support on the workers, three worker restarts in the middle of a replay (tasks cancelled
 * with offsets not yet committed) lose nothing: every archived offset reaches the target. Records produced after
 * the last committed offset are produced again; the test counts them.
 */
class ReplayAtLeastOnceRestartIT extends ReplayRestartBase {

    private static final Logger log = LoggerFactory.getLogger(ReplayAtLeastOnceRestartIT.class);

    @Override
    Map<String, String> workerProps() {
        return Map.of();
    }

    @Override
    Map<String, String> connectorProps() {
        return Map.of();
    }

    @Override
    int batchRecords() {
        return 200;
    }

    @Test
    void noGapAcrossThreeWorkerRestarts() throws Exception {
        Map<Integer, List<Long>> replayed = replayWithRestarts();
        assertNoGap(replayed);
        int total = replayed.values().stream().mapToInt(List::size).sum();
        log.info("At-least-once replay with three worker restarts: {} records for {} archived, {} duplicates",
                total, TOTAL, total - TOTAL);
        assertTrue(total >= TOTAL);
    }
}
