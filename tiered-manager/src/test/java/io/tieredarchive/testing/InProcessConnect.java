package io.tieredarchive.testing;

import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The one way the end-to-end tests start an in-process Connect cluster ({@code EmbeddedConnectCluster}: one
 * broker and {@code n} workers in the test JVM). Every cluster finds plugins by service loading, as the plugin
 * package promises, flushes offsets every second (so a test sees commits soon) and has a broker whose transaction
 * log works with its one replica (exactly-once source tasks); each test adds or replaces worker and broker keys.
 *
 * <pre>{@code
 * connect = InProcessConnect.named("replay-it").workers(2).byteArrayConverters().workerProps(extra).start();
 * }</pre>
 */
public final class InProcessConnect {

    private final String name;
    private int workers = 1;
    private final Map<String, String> workerProps = new HashMap<>(Map.of(
            "plugin.discovery", "service_load",
            "offset.flush.interval.ms", "1000"));
    private final Properties brokerProps = new Properties();

    private InProcessConnect(String name) {
        this.name = name;
        brokerProps.put("transaction.state.log.replication.factor", "1");
        brokerProps.put("transaction.state.log.min.isr", "1");
    }

    /** A cluster named {@code name} (the prefix of its internal topics), of one worker until told otherwise. */
    public static InProcessConnect named(String name) {
        return new InProcessConnect(name);
    }

    public InProcessConnect workers(int count) {
        this.workers = count;
        return this;
    }

    /** Adds or replaces worker keys. */
    public InProcessConnect workerProps(Map<String, String> props) {
        workerProps.putAll(props);
        return this;
    }

    public InProcessConnect workerProp(String key, String value) {
        workerProps.put(key, value);
        return this;
    }

    /** Adds or replaces broker keys. */
    public InProcessConnect brokerProps(Properties props) {
        brokerProps.putAll(props);
        return this;
    }

    /** The worker's default key, value and header converters pass bytes through, for byte-exact records. */
    public InProcessConnect byteArrayConverters() {
        for (String converter : new String[] {"key.converter", "value.converter", "header.converter"}) {
            workerProps.put(converter, ByteArrayConverter.class.getName());
        }
        return this;
    }

    /** Starts the broker and the workers; the caller stops them ({@link Closing#stopping}). */
    public EmbeddedConnectCluster start() {
        EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder().name(name).numWorkers(workers)
                .numBrokers(1).brokerProps(brokerProps).workerProps(new HashMap<>(workerProps)).build();
        connect.start();
        return connect;
    }
}
