package io.tieredarchive.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a connector reaches the Admin API of the Kafka cluster it works with: the one key
 * {@code kafka.bootstrap.servers}, and any other Admin client setting under the same prefix
 * ({@code kafka.security.protocol}, {@code kafka.sasl.jaas.config}, {@code kafka.ssl.*}, ...).
 *
 * <p>The sink reads the cluster id and the topic ids of the topics it archives through it (so that a topic
 * deleted and created again, or another cluster's topic of the same name, is archived apart, never skipped as
 * "already archived"), and the earliest offset of a new incarnation. The replay checks and creates its target
 * topics through it. Connect does not tell a connector which cluster its worker uses, hence the key; it is usually
 * the worker's own {@code bootstrap.servers}.
 */
public final class KafkaClusterConfig {

    public static final String GROUP = "Kafka cluster";
    public static final String PREFIX = "kafka.";
    public static final String BOOTSTRAP_SERVERS_CONFIG = PREFIX + "bootstrap.servers";

    private KafkaClusterConfig() {
    }

    /**
     * Defines {@code kafka.bootstrap.servers}; {@code required} makes it a key without default, which Connect's
     * validation reports when missing.
     */
    public static ConfigDef define(ConfigDef def, boolean required, String doc) {
        def.define(BOOTSTRAP_SERVERS_CONFIG, Type.LIST, required ? ConfigDef.NO_DEFAULT_VALUE : List.of(),
                ConfigValidators.hostPortList(required), Importance.HIGH, doc
                        + " Other Admin client settings (security.protocol, sasl.*, ssl.*) go under the same prefix: "
                        + "kafka.security.protocol, kafka.sasl.jaas.config, ...", GROUP, 1, Width.LONG,
                "Kafka bootstrap servers");
        return def;
    }

    /**
     * The Admin client's settings: every {@code kafka.*} key without the prefix; keys under {@code legacyPrefix}
     * (an older name of these settings, or null) count where {@code kafka.*} does not set them.
     */
    public static Map<String, Object> adminConfig(AbstractConfig config, String legacyPrefix) {
        Map<String, Object> admin = new LinkedHashMap<>();
        if (legacyPrefix != null) {
            admin.putAll(config.originalsWithPrefix(legacyPrefix));
        }
        admin.putAll(config.originalsWithPrefix(PREFIX));
        admin.put("client.id", admin.getOrDefault("client.id", "tiered-archive-admin"));
        return admin;
    }

    /** True when the config names bootstrap servers, under {@code kafka.} or under {@code legacyPrefix}. */
    public static boolean isSet(Map<String, String> props, String legacyPrefix) {
        String value = props.get(BOOTSTRAP_SERVERS_CONFIG);
        if ((value == null || value.isBlank()) && legacyPrefix != null) {
            value = props.get(legacyPrefix + "bootstrap.servers");
        }
        return value != null && !value.isBlank();
    }
}
