package io.tieredarchive.compat;

import com.sun.tools.attach.VirtualMachine;

import java.util.Set;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Reads a child worker's plugin metrics over JMX, as an operator's monitoring would: attaches to the JVM (the
 * Attach API starts its local management agent) and reads {@code kafka.connect:type=plugins,...} MBeans.
 */
public final class WorkerMetrics {

    private WorkerMetrics() {
    }

    /** {@code attribute} of the MBeans {@code kafka.connect:type=plugins,connector=<connector>,task=*}, summed. */
    public static double sum(long pid, String connector, String attribute) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
            MBeanServerConnection server = jmx.getMBeanServerConnection();
            ObjectName pattern = new ObjectName("kafka.connect:type=plugins,connector=" + connector + ",task=*");
            Set<ObjectName> tasks = server.queryNames(pattern, null);
            if (tasks.isEmpty()) {
                throw new AssertionError("No MBean " + pattern + " among "
                        + server.queryNames(new ObjectName("kafka.connect:type=plugins,*"), null));
            }
            double sum = 0;
            for (ObjectName task : tasks) {
                sum += ((Number) server.getAttribute(task, attribute)).doubleValue();
            }
            return sum;
        } finally {
            vm.detach();
        }
    }
}
