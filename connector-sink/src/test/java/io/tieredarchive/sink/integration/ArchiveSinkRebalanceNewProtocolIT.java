package io.tieredarchive.sink.integration;

import java.util.Map;

/**
 * {@link ArchiveSinkRebalanceIT} with the sink's consumers on the consumer group protocol of KIP-848
 * ({@code group.protocol=consumer}): rebalances are incremental, partitions move one by one, and Connect keeps the
 * records of the partitions a task still owns in the batch it retries.
 */
class ArchiveSinkRebalanceNewProtocolIT extends ArchiveSinkRebalanceIT {

    @Override
    Map<String, String> extraWorkerProps() {
        return Map.of("consumer.group.protocol", "consumer");
    }
}
