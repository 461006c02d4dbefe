package io.tieredarchive.source;

import io.tieredarchive.config.VersionInfo;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

import java.util.Map;

/**
 * What the replay and the copy connector say alike to an exactly-once worker (KIP-618): each poll's records and the
 * source offsets after them are committed in one producer transaction, on Connect's own boundaries
 * ({@code transaction.boundary=poll}, the default, or {@code interval}); neither defines boundaries itself.
 */
abstract class TransactionalSourceConnector extends SourceConnector {

    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(Map<String, String> connectorConfig) {
        return ConnectorTransactionBoundaries.UNSUPPORTED;
    }

    @Override
    public String version() {
        return VersionInfo.version();
    }
}
