import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;

/**
 * The quickstart's helper steps, as a single-file Java program (run with {@code java -cp ... QuickstartTool.java}):
 * it needs only the JDK plus the Kafka and AWS SDK jars the stack and the plugin already have.
 *
 * <pre>
 * create-bucket ENDPOINT ACCESS_KEY SECRET_KEY BUCKET
 * produce BOOTSTRAP TOPIC PARTITIONS COUNT        realistic JSON order events with keys and headers
 * s3-usage ENDPOINT ACCESS_KEY SECRET_KEY BUCKET PREFIX   objects, bytes, markers and .log bytes under PREFIX
 * compare BOOTSTRAP TOPIC_A TOPIC_B               record by record: partition, offset order, key, value, headers, timestamp
 * archive-status ENDPOINT ACCESS_KEY SECRET_KEY BUCKET PREFIX TOPIC LOCAL_DIR
 *                                                 "recordsInS3 segmentsInS3 logBytesInS3 localLogFiles"
 * count BOOTSTRAP TOPIC                           records in the topic (sum of end offsets minus start offsets)
 * </pre>
 */
public class QuickstartTool {

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        switch (args[0]) {
            case "create-bucket" -> createBucket(args[1], args[2], args[3], args[4]);
            case "produce" -> produce(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "s3-usage" -> s3Usage(args[1], args[2], args[3], args[4], args[5]);
            case "compare" -> System.exit(compare(args[1], args[2], args[3]) ? 0 : 1);
            case "archive-status" -> archiveStatus(args[1], args[2], args[3], args[4], args[5], args[6], args[7]);
            case "count" -> System.out.println(count(args[1], args[2]));
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: QuickstartTool create-bucket|produce|s3-usage|compare ...");
        System.exit(2);
    }

    private static S3Client s3(String endpoint, String accessKey, String secretKey) {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }

    static void createBucket(String endpoint, String accessKey, String secretKey, String bucket) {
        try (S3Client s3 = s3(endpoint, accessKey, secretKey)) {
            s3.createBucket(b -> b.bucket(bucket));
            System.out.println("created bucket " + bucket);
        } catch (BucketAlreadyOwnedByYouException e) {
            System.out.println("bucket " + bucket + " exists");
        }
    }

    /** Prints "objects bytes markers logBytes" for everything under the prefix. */
    static void s3Usage(String endpoint, String accessKey, String secretKey, String bucket, String prefix) {
        long objects = 0;
        long bytes = 0;
        long markers = 0;
        long logBytes = 0;
        try (S3Client s3 = s3(endpoint, accessKey, secretKey)) {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
                objects++;
                bytes += o.size();
                if (SEGMENT_MARKER.matcher(o.key()).matches()) {
                    markers++;
                }
                if (o.key().endsWith(".log")) {
                    logBytes += o.size();
                }
            }
        }
        System.out.println(objects + " " + bytes + " " + markers + " " + logBytes);
    }

    /**
     * A segment's marker: {@code <topic>/<incarnation>/<partition>/<base>-<writer>/<base>.json} (the manifest,
     * incarnation descriptions and restore snapshots are other JSON objects under the topic).
     */
    private static final java.util.regex.Pattern SEGMENT_MARKER =
            java.util.regex.Pattern.compile(".*/\\d+/(\\d{20})-[^/]+/\\1\\.json");

    /**
     * What the archive of {@code topic} holds in S3, from its segment markers, and how many segment logs are still
     * on local disk.
     */
    static void archiveStatus(String endpoint, String accessKey, String secretKey, String bucket, String prefix,
                              String topic, String localDir) throws java.io.IOException {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        String base = (prefix.isEmpty() ? "" : prefix + "/") + topic + "/";
        long records = 0;
        long segments = 0;
        long logBytes = 0;
        try (S3Client s3 = s3(endpoint, accessKey, secretKey)) {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(base)).contents()) {
                String name = o.key().substring(o.key().lastIndexOf('/') + 1);
                if (name.endsWith(".log")) {
                    logBytes += o.size();
                } else if (SEGMENT_MARKER.matcher(o.key()).matches()) {
                    byte[] marker = s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray();
                    records += mapper.readTree(marker).path("recordCount").asLong();
                    segments++;
                }
            }
        }
        long localLogs = 0;
        java.nio.file.Path dir = java.nio.file.Path.of(localDir);
        if (java.nio.file.Files.isDirectory(dir)) {
            try (var files = java.nio.file.Files.walk(dir)) {
                localLogs = files.filter(f -> f.getFileName().toString().endsWith(".log")).count();
            }
        }
        System.out.println(records + " " + segments + " " + logBytes + " " + localLogs);
    }

    static long count(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                return 0;
            }
            List<TopicPartition> tps = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(tps);
            return tps.stream().mapToLong(tp -> ends.get(tp) - starts.get(tp)).sum();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return 0;
        }
    }

    private static final String[] CITIES = {"Lisbon", "Oslo", "Kraków", "Nairobi", "Osaka", "Lima", "Austin", "Perth"};
    private static final String[] SKUS = {"SKU-1001", "SKU-1002", "SKU-2040", "SKU-3300", "SKU-4711", "SKU-9000"};
    private static final String[] CHANNELS = {"web", "ios", "android", "store"};

    /** Order events of about 400-700 bytes, keyed by customer, with a trace id and a channel header. */
    static void produce(String bootstrap, String topic, int partitions, int count) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        Random random = new Random(42);
        long start = System.currentTimeMillis() - count * 10L;
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                String customer = "customer-" + random.nextInt(5000);
                StringBuilder items = new StringBuilder();
                int n = 1 + random.nextInt(4);
                double total = 0;
                for (int j = 0; j < n; j++) {
                    int qty = 1 + random.nextInt(3);
                    double price = 5 + random.nextInt(20000) / 100.0;
                    total += qty * price;
                    items.append(j == 0 ? "" : ",").append(String.format(
                            "{\"sku\":\"%s\",\"qty\":%d,\"unit_price\":%.2f}", SKUS[random.nextInt(SKUS.length)],
                            qty, price));
                }
                long ts = start + i * 10L;
                String value = String.format("{\"order_id\":\"ord-%08d\",\"customer_id\":\"%s\",\"created_at\":%d,"
                                + "\"status\":\"%s\",\"items\":[%s],\"total\":%.2f,\"currency\":\"EUR\","
                                + "\"shipping\":{\"city\":\"%s\",\"express\":%b},\"note\":\"%s\"}",
                        i, customer, ts, random.nextInt(10) == 0 ? "cancelled" : "placed", items, total,
                        CITIES[random.nextInt(CITIES.length)], random.nextBoolean(),
                        "gift wrap ".repeat(random.nextInt(4)).trim());
                byte[] v = value.getBytes(StandardCharsets.UTF_8);
                byte[] k = customer.getBytes(StandardCharsets.UTF_8);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, ts, k, v);
                record.headers().add("trace-id", String.format("%016x", random.nextLong()).getBytes(StandardCharsets.UTF_8));
                record.headers().add("channel", CHANNELS[random.nextInt(CHANNELS.length)].getBytes(StandardCharsets.UTF_8));
                producer.send(record);
                bytes += k.length + v.length;
            }
            producer.flush();
        }
        System.out.println(count + " " + bytes);
    }

    /** True when both topics hold the same records partition by partition, in the same order. */
    static boolean compare(String bootstrap, String a, String b) {
        List<List<ConsumerRecord<byte[], byte[]>>> left = readAll(bootstrap, a);
        List<List<ConsumerRecord<byte[], byte[]>>> right = readAll(bootstrap, b);
        if (left.size() != right.size()) {
            System.out.println("partition counts differ: " + a + "=" + left.size() + " " + b + "=" + right.size());
            return false;
        }
        long compared = 0;
        for (int p = 0; p < left.size(); p++) {
            List<ConsumerRecord<byte[], byte[]>> x = left.get(p);
            List<ConsumerRecord<byte[], byte[]>> y = right.get(p);
            if (x.size() != y.size()) {
                System.out.println("partition " + p + ": " + x.size() + " records in " + a + ", " + y.size()
                        + " in " + b);
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                String diff = difference(x.get(i), y.get(i));
                if (diff != null) {
                    System.out.println("partition " + p + " record " + i + " (offset " + x.get(i).offset() + "): "
                            + diff);
                    return false;
                }
                compared++;
            }
        }
        System.out.println(compared);
        return true;
    }

    private static String difference(ConsumerRecord<byte[], byte[]> x, ConsumerRecord<byte[], byte[]> y) {
        if (!Arrays.equals(x.key(), y.key())) {
            return "keys differ";
        }
        if (!Arrays.equals(x.value(), y.value())) {
            return "values differ";
        }
        if (x.timestamp() != y.timestamp()) {
            return "timestamps differ: " + x.timestamp() + " vs " + y.timestamp();
        }
        Header[] hx = x.headers().toArray();
        Header[] hy = y.headers().toArray();
        if (hx.length != hy.length) {
            return "header counts differ";
        }
        for (int i = 0; i < hx.length; i++) {
            if (!hx[i].key().equals(hy[i].key()) || !Arrays.equals(hx[i].value(), hy[i].value())) {
                return "header " + hx[i].key() + " differs";
            }
        }
        return null;
    }

    private static List<List<ConsumerRecord<byte[], byte[]>>> readAll(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            int partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).size();
            List<TopicPartition> tps = new ArrayList<>();
            List<List<ConsumerRecord<byte[], byte[]>>> out = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
                out.add(new ArrayList<>());
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            long deadline = System.currentTimeMillis() + 120_000;
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("timed out reading " + topic);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.get(r.partition()).add(r);
                }
            }
            return out;
        }
    }
}
