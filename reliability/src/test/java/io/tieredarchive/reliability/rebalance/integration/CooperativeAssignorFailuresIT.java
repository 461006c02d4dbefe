package io.tieredarchive.reliability.rebalance.integration;

import java.util.Map;

/** {@link IncrementalRebalanceFailuresIT} with the classic protocol and the cooperative sticky assignor. */
class CooperativeAssignorFailuresIT extends IncrementalRebalanceFailuresIT {

    @Override
    Map<String, String> protocol() {
        return Map.of("consumer.partition.assignment.strategy",
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    }
}
