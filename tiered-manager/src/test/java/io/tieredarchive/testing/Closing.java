package io.tieredarchive.testing;

import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

/** Teardown of what a test class started ({@code @AfterAll}). */
public final class Closing {

    private Closing() {
    }

    /**
     * Closes each in turn, skipping nulls (what never started). Every one is closed even when an earlier one fails;
     * the first failure is then thrown, with the later ones suppressed in it.
     */
    public static void closeAll(AutoCloseable... closeables) throws Exception {
        Exception first = null;
        for (AutoCloseable c : closeables) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Stops {@code connect} when closed; null when it never started, so that {@link #closeAll} skips it. */
    public static AutoCloseable stopping(EmbeddedConnectCluster connect) {
        return connect == null ? null : connect::stop;
    }

    /** Stops {@code kafka} when closed; null when it never started, so that {@link #closeAll} skips it. */
    public static AutoCloseable stopping(EmbeddedKafkaCluster kafka) {
        return kafka == null ? null : kafka::stop;
    }
}
