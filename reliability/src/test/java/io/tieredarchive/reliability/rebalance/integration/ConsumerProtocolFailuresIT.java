package io.tieredarchive.reliability.rebalance.integration;

import java.util.Map;

/** {@link IncrementalRebalanceFailuresIT} with KIP-848's consumer group protocol. */
class ConsumerProtocolFailuresIT extends IncrementalRebalanceFailuresIT {

    @Override
    Map<String, String> protocol() {
        return Map.of("consumer.group.protocol", "consumer");
    }
}
