package io.tieredarchive.source;

import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * Which converters a source task's records go through, so that the task can hand Connect keys and values those
 * converters accept ({@link CopyEvents}). A task is not told: Connect uses the connector config's
 * {@code key.converter} / {@code value.converter} when set, and the worker's otherwise. So this looks in the task's
 * config first (a copy of the connector's), then at what the worker itself reports for the task: its task metrics
 * {@code key-converter-class} and {@code value-converter-class} (group {@code connector-task-metrics}, Kafka 4.1+),
 * registered before the task starts and read through JMX ({@code kafka.connect:type=connector-task-metrics,
 * connector=..,task=..}), which Connect workers expose unless {@code metric.reporters} leaves out JmxReporter.
 * When neither tells, the task refuses to start (before it copies anything), naming the keys to set.
 *
 * @param key   what the key converter accepts
 * @param value what the value converter accepts
 */
public record TaskConverters(Kind key, Kind value) {

    private static final Logger log = LoggerFactory.getLogger(TaskConverters.class);

    public static final String KEY_CONVERTER = "key.converter";
    public static final String VALUE_CONVERTER = "value.converter";
    static final String TASK_METRICS = "kafka.connect:type=connector-task-metrics";
    static final String KEY_CONVERTER_METRIC = "key-converter-class";
    static final String VALUE_CONVERTER_METRIC = "value-converter-class";
    private static final String BYTE_ARRAY_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";
    private static final String STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter";

    /** What a converter takes. */
    public enum Kind {
        /** Only bytes: {@code byte[]} with a BYTES schema or none (ByteArrayConverter). */
        BYTES,
        /** Anything, written as its {@code toString()} (StringConverter). */
        STRING,
        /** Connect data with a schema: structs, strings, numbers (JsonConverter, Avro, Protobuf, ...). */
        SCHEMA;

        static Kind of(String converterClass) {
            return switch (converterClass) {
                case BYTE_ARRAY_CONVERTER -> BYTES;
                case STRING_CONVERTER -> STRING;
                default -> SCHEMA;
            };
        }
    }

    /** The converters of task {@code taskId} of the connector named in {@code taskProps}, from this JVM's JMX. */
    public static TaskConverters of(Map<String, String> taskProps, int taskId) {
        return of(taskProps, taskId, ManagementFactory.getPlatformMBeanServer());
    }

    static TaskConverters of(Map<String, String> taskProps, int taskId, MBeanServer server) {
        String connector = taskProps.get("name");
        String keyClass = taskProps.get(KEY_CONVERTER);
        String valueClass = taskProps.get(VALUE_CONVERTER);
        if (keyClass == null || valueClass == null) {
            Map<String, String> reported = reportedByWorker(server, connector, taskId);
            keyClass = keyClass != null ? keyClass : reported.get(KEY_CONVERTER_METRIC);
            valueClass = valueClass != null ? valueClass : reported.get(VALUE_CONVERTER_METRIC);
        }
        if (keyClass == null || valueClass == null) {
            throw new ConnectException("Cannot tell which converter" + (keyClass == null && valueClass == null
                    ? "s" : "") + " the worker applies to this connector's events ("
                    + (keyClass == null ? KEY_CONVERTER : "") + (keyClass == null && valueClass == null ? ", " : "")
                    + (valueClass == null ? VALUE_CONVERTER : "") + " not in the connector config, and the worker "
                    + "reports no task metrics through JMX for " + connector + " task " + taskId + "); nothing was "
                    + "copied. Set " + KEY_CONVERTER + " and " + VALUE_CONVERTER + " in the connector config, e.g. "
                    + STRING_CONVERTER + " and org.apache.kafka.connect.json.JsonConverter with "
                    + "value.converter.schemas.enable=false, or " + BYTE_ARRAY_CONVERTER + " for both");
        }
        TaskConverters converters = new TaskConverters(Kind.of(keyClass), Kind.of(valueClass));
        log.info("Events of {} task {} go through key converter {} and value converter {}: keys as {}, values as {}",
                connector, taskId, keyClass, valueClass, converters.key == Kind.BYTES ? "UTF-8 bytes" : "strings",
                switch (converters.value) {
                    case BYTES -> "JSON bytes";
                    case STRING -> "JSON text";
                    case SCHEMA -> "structs with a schema";
                });
        return converters;
    }

    /** The worker's task metrics {@code key-converter-class} and {@code value-converter-class}; empty if none. */
    private static Map<String, String> reportedByWorker(MBeanServer server, String connector, int taskId) {
        try {
            for (ObjectName name : server.queryNames(new ObjectName(TASK_METRICS + ",*"), null)) {
                if (connector != null && connector.equals(unquote(name.getKeyProperty("connector")))
                        && Integer.toString(taskId).equals(unquote(name.getKeyProperty("task")))) {
                    Object key = server.getAttribute(name, KEY_CONVERTER_METRIC);
                    Object value = server.getAttribute(name, VALUE_CONVERTER_METRIC);
                    return key == null || value == null ? Map.of()
                            : Map.of(KEY_CONVERTER_METRIC, key.toString(), VALUE_CONVERTER_METRIC, value.toString());
                }
            }
        } catch (JMException | RuntimeException e) {
            log.warn("Could not read the converters of {} task {} from the worker's task metrics: {}", connector,
                    taskId, e.toString());
        }
        return Map.of();
    }

    /** A JMX key property as Kafka's JmxReporter wrote it: quoted when it holds characters JMX reserves. */
    private static String unquote(String property) {
        return property != null && property.startsWith("\"") ? ObjectName.unquote(property) : property;
    }
}
