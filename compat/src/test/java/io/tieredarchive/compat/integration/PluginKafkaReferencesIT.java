package io.tieredarchive.compat.integration;

import io.tieredarchive.compat.ClassFileReferences;
import io.tieredarchive.compat.ClassFileReferences.Member;
import io.tieredarchive.compat.PluginPackage;
import io.tieredarchive.compat.WorkerJars;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled classes of the plugin's own jars, as the package ships them, refer to Kafka only through its public
 * API, and only to classes and members that the oldest supported worker line has. Connect loads every
 * {@code org.apache.kafka} class from the worker, never from the plugin, so a reference to an internal class (which
 * Kafka moves at will: the record classes went to {@code record.internal} in 4.3) or to an API newer than the worker
 * fails there at run time. This finds any such reference before a worker does, in code a test runs or not.
 */
class PluginKafkaReferencesIT {

    /** Kafka's public API: the packages and classes of the Javadoc of kafka-clients and connect-api. */
    private static final Set<String> PUBLIC_PACKAGES = Set.of(
            "org/apache/kafka/clients/admin", "org/apache/kafka/clients/consumer", "org/apache/kafka/clients/producer",
            "org/apache/kafka/common", "org/apache/kafka/common/acl", "org/apache/kafka/common/annotation",
            "org/apache/kafka/common/config", "org/apache/kafka/common/config/provider",
            "org/apache/kafka/common/errors", "org/apache/kafka/common/header", "org/apache/kafka/common/metrics",
            "org/apache/kafka/common/metrics/stats", "org/apache/kafka/common/quota",
            "org/apache/kafka/common/resource", "org/apache/kafka/common/serialization",
            "org/apache/kafka/common/security/auth", "org/apache/kafka/common/security/plain",
            "org/apache/kafka/common/security/scram", "org/apache/kafka/common/security/token/delegation",
            "org/apache/kafka/common/security/oauthbearer", "org/apache/kafka/server/authorizer",
            "org/apache/kafka/server/policy", "org/apache/kafka/server/quota", "org/apache/kafka/server/telemetry",
            "org/apache/kafka/connect/components", "org/apache/kafka/connect/connector",
            "org/apache/kafka/connect/connector/policy", "org/apache/kafka/connect/data",
            "org/apache/kafka/connect/errors", "org/apache/kafka/connect/header", "org/apache/kafka/connect/health",
            "org/apache/kafka/connect/rest", "org/apache/kafka/connect/sink", "org/apache/kafka/connect/source",
            "org/apache/kafka/connect/storage", "org/apache/kafka/connect/transforms",
            "org/apache/kafka/connect/transforms/predicates", "org/apache/kafka/connect/util");
    private static final Set<String> PUBLIC_CLASSES = Set.of(
            "org/apache/kafka/common/record/TimestampType", "org/apache/kafka/common/utils/Bytes",
            // Not in the Javadoc's packages, but what the public AbstractConfig.getPassword returns.
            "org/apache/kafka/common/config/types/Password");

    /**
     * References that an old worker lacks, made only where a check has found the worker to have them: the class, and
     * the member or {@code *} for all of the class's.
     */
    private static final Map<String, String> GUARDED = Map.of(
            // loaded only on workers whose task context has pluginMetrics() (KIP-877, 4.1+): TaskMetrics checks
            "io/tieredarchive/metrics/ConnectPluginMetrics", "*",
            // called only after jaxRsProblem() found the worker's REST extension API to be Jakarta (4.0+)
            "io/tieredarchive/rest/TieredArchiveRestExtension",
            "org/apache/kafka/connect/rest/ConnectRestExtensionContext.configurable()Ljakarta/ws/rs/core/Configurable;");

    @TempDir
    static Path tmp;
    private static List<ClassFileReferences> classes;

    @BeforeAll
    static void readThePackage() throws IOException {
        Path root = PluginPackage.installInto(tmp.resolve("plugins"));
        classes = new ArrayList<>();
        for (Path jar : PluginPackage.ownJars(root)) {
            try (JarFile file = new JarFile(jar.toFile())) {
                for (JarEntry entry : file.stream().toList()) {
                    if (entry.getName().endsWith(".class")) {
                        try (InputStream in = file.getInputStream(entry)) {
                            classes.add(ClassFileReferences.read(in.readAllBytes()));
                        }
                    }
                }
            }
        }
        assertTrue(classes.size() > 100, "classes read from the plugin's jars: " + classes.size());
    }

    @Test
    void onlyKafkasPublicApiIsReferenced() {
        Map<String, Set<String>> internal = new TreeMap<>();
        for (ClassFileReferences c : classes) {
            for (String named : c.namedClasses()) {
                if (named.startsWith("org/apache/kafka/") && !isPublicApi(named)) {
                    internal.computeIfAbsent(c.className(), k -> new java.util.TreeSet<>()).add(named);
                }
            }
        }
        assertEquals(Map.of(), internal, "classes of the plugin that refer to non-public Kafka classes, which "
                + "Connect loads from the worker, whatever its version");
    }

    private static boolean isPublicApi(String className) {
        String outer = className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
        return PUBLIC_CLASSES.contains(outer) || PUBLIC_PACKAGES.contains(outer.substring(0, outer.lastIndexOf('/')));
    }

    @Test
    void everyKafkaClassAndMemberReferencedExistsOnTheOldestWorker() throws Exception {
        String oldest = WorkerJars.oldest();
        List<String> missing = new ArrayList<>();
        Set<String> guardedAndMissing = new HashSet<>();
        try (URLClassLoader worker = new URLClassLoader(urls(WorkerJars.jars(oldest)),
                ClassLoader.getPlatformClassLoader())) {
            for (ClassFileReferences c : classes) {
                for (String symbol : missingOn(worker, c)) {
                    String allowed = GUARDED.get(c.className());
                    if (allowed != null && (allowed.equals("*") || allowed.equals(symbol))) {
                        guardedAndMissing.add(c.className());
                    } else {
                        missing.add(c.className() + " -> " + symbol);
                    }
                }
            }
        }
        assertEquals(List.of(), missing, "Kafka classes and members the plugin uses that a Kafka " + oldest
                + " worker does not have");
        assertEquals(GUARDED.keySet(), guardedAndMissing, "each guarded class does use what " + oldest
                + " lacks (else it needs no guard: take it off the list)");
    }

    private static List<String> missingOn(ClassLoader worker, ClassFileReferences c) {
        List<String> missing = new ArrayList<>();
        for (String loaded : c.loadedClasses()) {
            if (loaded.startsWith("org/apache/kafka/") && load(worker, loaded) == null) {
                missing.add(loaded);
            }
        }
        for (Member member : c.members()) {
            if (member.owner().startsWith("org/apache/kafka/")) {
                Class<?> owner = load(worker, member.owner());
                if (owner == null || !has(owner, member)) {
                    missing.add(member.toString());
                }
            }
        }
        return missing;
    }

    private static Class<?> load(ClassLoader loader, String internalName) {
        try {
            return Class.forName(internalName.replace('/', '.'), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /** Whether {@code owner} declares or inherits the field or method, as the JVM would resolve it. */
    private static boolean has(Class<?> owner, Member member) {
        Deque<Class<?>> toSearch = new ArrayDeque<>(List.of(owner, Object.class));
        Set<Class<?>> seen = new HashSet<>();
        while (!toSearch.isEmpty()) {
            Class<?> type = toSearch.pop();
            if (!seen.add(type)) {
                continue;
            }
            if (declares(type, member)) {
                return true;
            }
            if (type.getSuperclass() != null) {
                toSearch.add(type.getSuperclass());
            }
            toSearch.addAll(List.of(type.getInterfaces()));
        }
        return false;
    }

    private static boolean declares(Class<?> type, Member member) {
        if (!member.descriptor().startsWith("(")) {
            for (Field f : type.getDeclaredFields()) {
                if (f.getName().equals(member.name()) && f.getType().descriptorString().equals(member.descriptor())) {
                    return true;
                }
            }
            return false;
        }
        if (member.name().equals("<init>")) {
            for (Constructor<?> k : type.getDeclaredConstructors()) {
                if (MethodType.methodType(void.class, k.getParameterTypes()).toMethodDescriptorString()
                        .equals(member.descriptor())) {
                    return true;
                }
            }
            return false;
        }
        for (Method m : type.getDeclaredMethods()) {
            if (m.getName().equals(member.name()) && MethodType.methodType(m.getReturnType(), m.getParameterTypes())
                    .toMethodDescriptorString().equals(member.descriptor())) {
                return true;
            }
        }
        return false;
    }

    private static URL[] urls(List<Path> jars) throws IOException {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = jars.get(i).toUri().toURL();
        }
        return urls;
    }
}
