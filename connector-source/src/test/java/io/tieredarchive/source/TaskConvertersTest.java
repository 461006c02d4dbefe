package io.tieredarchive.source;

import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The converters of a task: from the connector config when it names them, else from the worker's task metrics in
 * JMX (registered here in a JMX server of the test's own, under the names Kafka's JmxReporter gives them), else a
 * refusal that names the keys to set.
 */
class TaskConvertersTest {

    private static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";
    private static final String STRING = "org.apache.kafka.connect.storage.StringConverter";
    private static final String JSON = "org.apache.kafka.connect.json.JsonConverter";

    @Test
    void theConnectorConfigWins() {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        TaskConverters converters = TaskConverters.of(Map.of("name", "c", "key.converter", STRING,
                "value.converter", JSON), 0, server);
        assertEquals(new TaskConverters(TaskConverters.Kind.STRING, TaskConverters.Kind.SCHEMA), converters);
    }

    @Test
    void theWorkersConvertersComeFromItsTaskMetrics() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        register(server, "copy", "0", STRING, STRING);
        register(server, "copy", "1", BYTES, BYTES);
        register(server, "other", "1", JSON, JSON);

        assertEquals(new TaskConverters(TaskConverters.Kind.BYTES, TaskConverters.Kind.BYTES),
                TaskConverters.of(Map.of("name", "copy"), 1, server));
        assertEquals(new TaskConverters(TaskConverters.Kind.STRING, TaskConverters.Kind.STRING),
                TaskConverters.of(Map.of("name", "copy"), 0, server));
        assertEquals(new TaskConverters(TaskConverters.Kind.BYTES, TaskConverters.Kind.SCHEMA),
                TaskConverters.of(Map.of("name", "copy", "value.converter", JSON), 1, server),
                "a converter the connector names, the other from the worker");
    }

    @Test
    void findsConnectorsWhoseNamesJmxQuotes() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        String name = "copy: \"eu\" → us, 2026";
        register(server, ObjectName.quote(name), "0", BYTES, STRING);
        assertEquals(new TaskConverters(TaskConverters.Kind.BYTES, TaskConverters.Kind.STRING),
                TaskConverters.of(Map.of("name", name), 0, server));
    }

    @Test
    void refusesWhenNothingTellsNamingTheKeys() {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        ConnectException e = assertThrows(ConnectException.class,
                () -> TaskConverters.of(Map.of("name", "copy", "key.converter", STRING), 0, server));
        assertTrue(e.getMessage().contains("value.converter") && e.getMessage().contains("nothing was copied"),
                e.getMessage());
    }

    private static void register(MBeanServer server, String connector, String task, String key, String value)
            throws Exception {
        server.registerMBean(new TaskMetrics(Map.of("key-converter-class", key, "value-converter-class", value,
                        "status", "running")),
                new ObjectName("kafka.connect:type=connector-task-metrics,connector=" + connector + ",task=" + task));
    }

    /** Attributes as Kafka's JmxReporter exposes a metrics group: one read-only attribute per metric. */
    private record TaskMetrics(Map<String, Object> attributes) implements DynamicMBean {
        @Override
        public Object getAttribute(String attribute) throws AttributeNotFoundException {
            if (!attributes.containsKey(attribute)) {
                throw new AttributeNotFoundException(attribute);
            }
            return attributes.get(attribute);
        }

        @Override
        public void setAttribute(Attribute attribute) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AttributeList getAttributes(String[] names) {
            AttributeList list = new AttributeList();
            for (String n : names) {
                list.add(new Attribute(n, attributes.get(n)));
            }
            return list;
        }

        @Override
        public AttributeList setAttributes(AttributeList list) {
            return new AttributeList();
        }

        @Override
        public Object invoke(String action, Object[] params, String[] signature) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MBeanInfo getMBeanInfo() {
            return new MBeanInfo(TaskMetrics.class.getName(), "task metrics", null, null, null, null);
        }
    }
}
