package io.tieredarchive.sink.integration;

import java.util.Map;

/** {@link ArchiveSinkCrashIT} with the sink's consumers on the consumer group protocol of KIP-848. */
class ArchiveSinkCrashNewProtocolIT extends ArchiveSinkCrashIT {

    @Override
    Map<String, String> extraWorkerProps() {
        return Map.of("consumer.group.protocol", "consumer");
    }
}
