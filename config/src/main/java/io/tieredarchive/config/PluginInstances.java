package io.tieredarchive.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Instances of the classes a config names (converters, config providers): loaded as Kafka loads them, through the
 * thread's context class loader (a Connect worker sets it to the plugin's), else this class's loader. Kafka's own
 * helpers ({@code org.apache.kafka.common.utils.Utils}) are not public API, so the plugin has these.
 */
public final class PluginInstances {

    private static final Logger log = LoggerFactory.getLogger(PluginInstances.class);

    private PluginInstances() {
    }

    /**
     * A new instance of {@code className}, which must be a {@code type} with a public no-argument constructor.
     * Throws {@link ClassNotFoundException} when no such class is found, {@link IllegalArgumentException} when it is
     * not a {@code type} or cannot be instantiated.
     */
    public static <T> T newInstance(String className, Class<T> type) throws ClassNotFoundException {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> loaded = (loader == null ? PluginInstances.class.getClassLoader() : loader).loadClass(className);
        if (!type.isAssignableFrom(loaded)) {
            throw new IllegalArgumentException(className + " is not a " + type.getName());
        }
        try {
            return type.cast(loaded.getDeclaredConstructor().newInstance());
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("Could not find a public no-argument constructor for " + className, e);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("Could not instantiate class " + className, e);
        }
    }

    /**
     * Closes {@code instance} if it is closeable (a Converter is not on Kafka 3.x workers), logging rather than
     * throwing a failure.
     */
    public static void closeQuietly(Object instance, String what) {
        if (instance instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.warn("Failed to close {}: {}", what, e.toString());
            }
        }
    }
}
