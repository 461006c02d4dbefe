package io.tieredarchive.testing;

import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

import java.util.Map;
import java.util.Properties;

/** A broker of its own for tests that run Connect workers apart from it (child JVMs, a second cluster). */
public final class SingleBroker {

    private SingleBroker() {
    }

    /**
     * Starts one broker whose transaction log works with one replica (exactly-once source tasks need it), with
     * {@code extra} broker settings.
     */
    public static EmbeddedKafkaCluster start(Map<String, String> extra) {
        Properties props = new Properties();
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.putAll(extra);
        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, props);
        kafka.start();
        return kafka;
    }
}
