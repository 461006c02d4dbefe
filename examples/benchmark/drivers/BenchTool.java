import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.tools.attach.VirtualMachine;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's measuring tool (cases 1, 2, 6, 7, 8), run as a JDK single-file program:
 * {@code java -cp "$BENCH_JAVA_CP" examples/benchmark/drivers/BenchTool.java <command> args...}.
 *
 * <pre>
 * wait-archived BOOTSTRAP TOPIC LOCAL_DIR CONNECT_URL TIMEOUT_S
 *     Waits until every partition of TOPIC has a sealed local segment (marker) covering its end offset, then until
 *     the worker's tiering service for LOCAL_DIR has no pending segment. Prints
 *     "firstLogMs sealedMs archivedMs logBytes segments": when the first .log file appeared (polled every 20 ms),
 *     the latest sealedAtMs of the markers covering the ends, when S3 held everything, the .log bytes and segments.
 *     CONNECT_URL "-": no wait for S3 (the third figure is 0).
 * wait-count BOOTSTRAP TOPIC EXPECTED TIMEOUT_S
 *     Polls TOPIC's end offsets every 50 ms; prints "firstMs doneMs": when the first record and the EXPECTED-th
 *     record were there.
 * consumer-perf-cpu BOOTSTRAP TOPIC RECORDS GROUP
 *     Runs Kafka's ConsumerPerformance (kafka-consumer-perf-test) twice in this JVM: reading one record (group
 *     GROUP-warmup: JVM start, class loading, group join), then all RECORDS (group GROUP). Prints the second run's
 *     result line, then "cpu SECONDS": the process CPU (user + system, all threads: JIT and GC included) the second
 *     run took. Measured in one JVM, so the start-up cost left out is the one this JVM paid, not another's.
 * dump-values BOOTSTRAP TOPIC OUT_FILE
 *     Writes the values of TOPIC, partition after partition in offset order, concatenated; prints "records bytes".
 * heap-watch PID CONNECTOR EXPECTED_ACTIVE HOLD_S TIMEOUT_S
 *     Attaches to the JVM PID over JMX and watches its heap until the sink CONNECTOR's tasks have had
 *     EXPECTED_ACTIVE active partitions (active-partitions summed over its tasks) for HOLD_S seconds. Prints
 *     "peakUsedMiB peakAfterGcMiB gcs maxActivePartitions maxBufferedBytes secondsToActive liveMiB": the most heap
 *     in use seen before any collection (sampled every 200 ms and from each GC's before-figures), the most heap in
 *     use right after one of the worker's own collections (the live set plus the old objects G1 has not collected
 *     yet: that depends on when G1 starts marking, 45 % of the heap by default), the collections seen, the most
 *     active partitions, the sum of the tasks' buffered-bytes-max, how long until EXPECTED_ACTIVE, and the most
 *     heap in use right after a full collection (the live set: what the worker needs), from three full
 *     collections forced over the last third of the hold (MemoryMXBean.gc(), as {@code jcmd GC.run}). The
 *     first two figures cover the time before those.
 * produce-each BOOTSTRAP TOPIC RECORDS_PER_PARTITION RECORD_BYTES
 *     Writes RECORDS_PER_PARTITION records of RECORD_BYTES random bytes to every partition of TOPIC (each named
 *     explicitly, so every partition gets them); prints the records written.
 * open-watch PID CONNECTOR EXPECTED TIMEOUT_S
 *     Attaches to the JVM PID over JMX and polls (every 20 ms) the sink CONNECTOR's assigned-partitions (the
 *     partitions its tasks have opened, summed over them) until it reaches EXPECTED. Prints the wall-clock time
 *     (epoch ms) when it did. Refuses to start when EXPECTED are open already (a previous connector's metrics).
 * </pre>
 */
public class BenchTool {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "wait-archived" -> waitArchived(args[1], args[2], Path.of(args[3]), args[4], Long.parseLong(args[5]));
            case "wait-count" -> waitCount(args[1], args[2], Long.parseLong(args[3]), Long.parseLong(args[4]));
            case "consumer-perf-cpu" -> consumerPerfCpu(args[1], args[2], args[3], args[4]);
            case "dump-values" -> dumpValues(args[1], args[2], Path.of(args[3]));
            case "heap-watch" -> heapWatch(args[1], args[2], Long.parseLong(args[3]), Long.parseLong(args[4]),
                    Long.parseLong(args[5]));
            case "produce-each" -> produceEach(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "open-watch" -> openWatch(args[1], args[2], Long.parseLong(args[3]), Long.parseLong(args[4]));
            default -> {
                System.err.println("usage: BenchTool wait-archived|wait-count|dump-values|heap-watch|produce-each"
                        + "|open-watch ...");
                System.exit(2);
            }
        }
    }

    private static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    /** Partition -> end offset of every partition of the topic. */
    private static Map<Integer, Long> endOffsets(Admin admin, String topic) throws Exception {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        return ends;
    }

    private static void waitArchived(String bootstrap, String topic, Path localDir, String connectUrl,
                                     long timeoutS) throws Exception {
        Map<Integer, Long> ends;
        try (Admin admin = admin(bootstrap)) {
            ends = endOffsets(admin, topic);
        }
        long deadline = System.currentTimeMillis() + timeoutS * 1000;
        long firstLogMs = 0;
        long sealedMs;
        long logBytes;
        int segments;
        ready();
        while (true) {
            if (firstLogMs == 0 && anyLogFile(localDir, topic, ends.keySet())) {
                firstLogMs = System.currentTimeMillis();
            }
            long maxSealed = 0;
            long bytes = 0;
            int count = 0;
            boolean all = true;
            for (Map.Entry<Integer, Long> end : ends.entrySet()) {
                long covered = -1;
                long sealedCovering = 0;
                for (JsonNode marker : markers(localDir.resolve(topic + "-" + end.getKey()))) {
                    long last = marker.get("lastOffset").asLong();
                    bytes += marker.get("log").get("size").asLong();
                    count++;
                    if (last > covered) {
                        covered = last;
                        sealedCovering = marker.get("sealedAtMs").asLong();
                    }
                }
                if (end.getValue() > 0 && covered < end.getValue() - 1) {
                    all = false;
                } else {
                    maxSealed = Math.max(maxSealed, sealedCovering);
                }
            }
            if (all) {
                sealedMs = maxSealed;
                logBytes = bytes;
                segments = count;
                break;
            }
            checkDeadline(deadline, "sealed segments covering the end of " + topic + " in " + localDir);
            Thread.sleep(20);
        }
        if (connectUrl.equals("-")) {
            System.out.println(firstLogMs + " " + sealedMs + " 0 " + logBytes + " " + segments);
            return;
        }
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest stats = HttpRequest.newBuilder(URI.create(connectUrl + "/tiered-archive/stats")).GET().build();
        while (true) {
            JsonNode body = JSON.readTree(http.send(stats, HttpResponse.BodyHandlers.ofString()).body());
            boolean done = false;
            for (JsonNode service : body.path("tiering")) {
                if (Path.of(service.get("localDir").asText()).equals(localDir)) {
                    done = service.get("pendingSegments").asLong() == 0
                            && service.get("uploadedSegments").asLong() >= segments;
                }
            }
            if (done) {
                break;
            }
            checkDeadline(deadline, "the upload of " + localDir + " to S3: " + body);
            Thread.sleep(50);
        }
        System.out.println(firstLogMs + " " + sealedMs + " " + System.currentTimeMillis() + " " + logBytes + " "
                + segments);
    }

    private static boolean anyLogFile(Path localDir, String topic, Set<Integer> partitions) throws Exception {
        for (int p : partitions) {
            Path dir = localDir.resolve(topic + "-" + p);
            if (Files.isDirectory(dir)) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.log")) {
                    if (files.iterator().hasNext()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static List<JsonNode> markers(Path dir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                try {
                    out.add(JSON.readTree(f.toFile()));
                } catch (java.io.FileNotFoundException e) {
                    // Deleted between the listing and the read: local retention freed a tiered segment (case 9).
                }
            }
        }
        return out;
    }

    /** Creates the file named by -Dready.file (if set): the caller may start what this command measures. */
    private static void ready() throws Exception {
        String file = System.getProperty("ready.file");
        if (file != null) {
            Files.writeString(Path.of(file), "ready\n");
        }
    }

    private static void checkDeadline(long deadline, String what) {
        if (System.currentTimeMillis() > deadline) {
            System.err.println("timed out waiting for " + what);
            System.exit(1);
        }
    }

    private static void waitCount(String bootstrap, String topic, long expected, long timeoutS) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutS * 1000;
        long firstMs = 0;
        try (Admin admin = admin(bootstrap)) {
            ready();
            while (true) {
                long total = 0;
                try {
                    total = endOffsets(admin, topic).values().stream().mapToLong(Long::longValue).sum();
                } catch (java.util.concurrent.ExecutionException e) {
                    // the topic may not exist yet
                }
                long now = System.currentTimeMillis();
                if (firstMs == 0 && total > 0) {
                    firstMs = now;
                }
                if (total >= expected) {
                    System.out.println(firstMs + " " + now);
                    return;
                }
                checkDeadline(deadline, expected + " records in " + topic + " (" + total + " so far)");
                Thread.sleep(50);
            }
        }
    }

    private static void consumerPerfCpu(String bootstrap, String topic, String records, String group) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(OutputStream.nullOutputStream()));
        org.apache.kafka.tools.ConsumerPerformance.main(new String[] {"--bootstrap-server", bootstrap, "--topic", topic,
            "--messages", "1", "--group", group + "-warmup", "--timeout", "60000"});
        java.io.ByteArrayOutputStream result = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(result, true));
        long cpu0 = os.getProcessCpuTime();
        org.apache.kafka.tools.ConsumerPerformance.main(new String[] {"--bootstrap-server", bootstrap, "--topic", topic,
            "--messages", records, "--group", group, "--timeout", "60000"});
        long cpu = os.getProcessCpuTime() - cpu0;
        System.setOut(out);
        String[] lines = result.toString().strip().split("\n");
        out.println(lines[lines.length - 1]);
        out.printf("cpu %.3f%n", cpu / 1e9);
        out.flush();
    }

    private static void dumpValues(String bootstrap, String topic, Path out) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        Map<Integer, Long> ends;
        try (Admin admin = admin(bootstrap)) {
            ends = endOffsets(admin, topic);
        }
        long records = 0;
        long bytes = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            for (int partition : ends.keySet().stream().sorted().collect(Collectors.toList())) {
                TopicPartition tp = new TopicPartition(topic, partition);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                while (consumer.position(tp) < ends.get(partition)) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                        if (r.value() != null) {
                            file.write(r.value());
                            bytes += r.value().length;
                        }
                        records++;
                    }
                }
            }
        }
        System.out.println(records + " " + bytes);
    }

    /** A JMX connection to the local JVM {@code pid}, through its local management agent (started if need be). */
    private static JMXConnector connectJmx(String pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(pid);
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        return JMXConnectorFactory.connect(new JMXServiceURL(address));
    }

    private static void heapWatch(String pid, String connector, long expectedActive, long holdS, long timeoutS)
            throws Exception {
        try (JMXConnector jmx = connectJmx(pid)) {
            MBeanServerConnection server = jmx.getMBeanServerConnection();
            MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(server,
                    ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
            AtomicLong peakUsed = new AtomicLong();
            AtomicLong peakAfterGc = new AtomicLong();
            AtomicLong gcs = new AtomicLong();
            AtomicBoolean forcing = new AtomicBoolean();
            for (ObjectName gc : server.queryNames(new ObjectName("java.lang:type=GarbageCollector,*"), null)) {
                server.addNotificationListener(gc, (Notification n, Object handback) -> {
                    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        return;
                    }
                    if (forcing.get()) {
                        return;
                    }
                    var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
                    long after = heapOnly(info.getMemoryUsageAfterGc());
                    peakUsed.accumulateAndGet(heapOnly(info.getMemoryUsageBeforeGc()), Math::max);
                    peakAfterGc.accumulateAndGet(after, Math::max);
                    gcs.incrementAndGet();
                }, null, null);
            }
            long maxActive = 0;
            long maxBuffered = 0;
            long start = System.currentTimeMillis();
            long deadline = start + timeoutS * 1000;
            long activeSince = 0;
            long live = 0;
            int forced = 0;
            ObjectName tasks = new ObjectName("kafka.connect:type=plugins,connector=" + connector + ",task=*");
            while (activeSince == 0 || System.currentTimeMillis() < activeSince + holdS * 1000) {
                long now = System.currentTimeMillis();
                // Three full collections, at 2/3, 5/6 and the end of the hold: the live set, while every partition
                // is active. The worker's own collections before the first are the other figures.
                if (activeSince > 0 && forced < 3 && now >= activeSince + holdS * 1000 * (4 + forced) / 6) {
                    forcing.set(true);
                    memory.gc();
                    live = Math.max(live, memory.getHeapMemoryUsage().getUsed());
                    forced++;
                }
                if (!forcing.get()) {
                    peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                }
                long active = 0;
                long buffered = 0;
                for (ObjectName task : server.queryNames(tasks, null)) {
                    active += number(server, task, "active-partitions");
                    buffered += number(server, task, "buffered-bytes-max");
                }
                maxActive = Math.max(maxActive, active);
                maxBuffered = Math.max(maxBuffered, buffered);
                if (activeSince == 0 && active >= expectedActive) {
                    activeSince = System.currentTimeMillis();
                }
                checkDeadline(deadline, expectedActive + " active partitions of " + connector + " (" + active
                        + " now)");
                Thread.sleep(200);
            }
            if (forced < 3) {
                forcing.set(true);
                memory.gc();
                live = Math.max(live, memory.getHeapMemoryUsage().getUsed());
            }
            System.out.printf("%.1f %.1f %d %d %d %d %.1f%n", peakUsed.get() / 1048576.0,
                    peakAfterGc.get() / 1048576.0, gcs.get(), maxActive, maxBuffered, (activeSince - start) / 1000,
                    live / 1048576.0);
        }
    }

    private static void produceEach(String bootstrap, String topic, int perPartition, int recordBytes)
            throws Exception {
        int partitions;
        try (Admin admin = admin(bootstrap)) {
            partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        java.util.Random random = new java.util.Random(42);
        long written = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < perPartition; i++) {
                for (int partition = 0; partition < partitions; partition++) {
                    byte[] value = new byte[recordBytes];
                    random.nextBytes(value);
                    producer.send(new ProducerRecord<>(topic, partition, null, value));
                    written++;
                }
            }
            producer.flush();
        }
        System.out.println(written);
    }

    private static void openWatch(String pid, String connector, long expected, long timeoutS) throws Exception {
        try (JMXConnector jmx = connectJmx(pid)) {
            MBeanServerConnection server = jmx.getMBeanServerConnection();
            ObjectName tasks = new ObjectName("kafka.connect:type=plugins,connector=" + connector + ",task=*");
            long deadline = System.currentTimeMillis() + timeoutS * 1000;
            boolean first = true;
            while (true) {
                long open = 0;
                for (ObjectName task : server.queryNames(tasks, null)) {
                    open += number(server, task, "assigned-partitions");
                }
                if (open >= expected) {
                    if (first) {
                        throw new IllegalStateException(connector + " has " + open + " partitions open already");
                    }
                    System.out.println(System.currentTimeMillis());
                    return;
                }
                if (first) {
                    ready();
                    first = false;
                }
                checkDeadline(deadline, expected + " open partitions of " + connector + " (" + open + " now)");
                Thread.sleep(20);
            }
        }
    }

    /** Heap pools only: G1's Eden, Survivor and Old Gen (not Metaspace or the code cache). */
    private static long heapOnly(Map<String, MemoryUsage> pools) {
        return pools.entrySet().stream()
                .filter(e -> e.getKey().contains("Eden") || e.getKey().contains("Survivor")
                        || e.getKey().contains("Old"))
                .mapToLong(e -> e.getValue().getUsed()).sum();
    }

    private static long number(MBeanServerConnection server, ObjectName name, String attribute) {
        try {
            Object v = server.getAttribute(name, attribute);
            return v instanceof Number n && !Double.isNaN(n.doubleValue()) ? n.longValue() : 0;
        } catch (Exception e) {
            return 0;
        }
    }
}
