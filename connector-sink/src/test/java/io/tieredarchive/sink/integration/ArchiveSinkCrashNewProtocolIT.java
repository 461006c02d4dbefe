package io.tieredarchive.sink.integration;

import java.util.Map;
import java.util.Properties;

/**
 * {@link ArchiveSinkCrashIT} with the sink's consumers on the consumer group protocol of KIP-848. The broker, not the
 * client, sets the session timeout there: 6 s, as the classic case sets on the worker, so that the killed worker's
 * partitions move on in seconds.
 */
class ArchiveSinkCrashNewProtocolIT extends ArchiveSinkCrashIT {

    @Override
    Map<String, String> extraWorkerProps() {
        return Map.of("consumer.group.protocol", "consumer");
    }

    @Override
    Properties brokerProps() {
        Properties props = new Properties();
        props.put("group.consumer.min.session.timeout.ms", "6000");
        props.put("group.consumer.session.timeout.ms", "6000");
        props.put("group.consumer.min.heartbeat.interval.ms", "1000");
        props.put("group.consumer.heartbeat.interval.ms", "1000");
        return props;
    }
}
