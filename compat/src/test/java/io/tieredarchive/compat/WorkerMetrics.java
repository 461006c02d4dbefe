package io.tieredarchive.compat;

import com.sun.tools.attach.VirtualMachine;

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
            double sum = 0;
            int tasks = 0;
            for (ObjectName name : server.queryNames(pattern, null)) {
                sum += ((Number) server.getAttribute(name, attribute)).doubleValue();
                tasks++;
            }
            if (tasks == 0) {
                throw new AssertionError("No MBean " + pattern + " among "
                        + server.queryNames(new ObjectName("kafka.connect:type=plugins,*"), null));
            }
            return sum;
        } finally {
            vm.detach();
        }
    }
}
