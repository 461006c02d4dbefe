import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.tier.read.ArchiveCursor;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.LocalTier;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.read.RestoreCache;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.TieringSettings;
import io.tieredarchive.tier.TieringStats;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringDeserializer;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

/**
 * The helpers of benchmark cases 3 (tier upload), 4 (bucket copy) and 5 (restore on demand), as a single-file Java
 * program run with {@code java -cp "$BENCH_JAVA_CP" S3BenchTool.java ...}. Every S3 call goes through the plugin's
 * own classes ({@code S3ClientFactory}, {@code RemoteSegmentStore}, {@code TieringService}, {@code ArchiveReader}),
 * so what is timed is the product's code path. S3 settings come from the environment: S3_ENDPOINT, S3_ACCESS_KEY,
 * S3_SECRET_KEY (path-style, region us-east-1), plus any s3.* keys in S3BENCH_S3_KEYS ("key=value,key=value").
 *
 * <pre>
 * make-segments DIR TOPIC PARTITIONS SEGMENTS_PER_PARTITION SEGMENT_BYTES
 *         sealed segments (random, incompressible 1 KiB values, codec none, 1 MiB batches) in DIR/TOPIC-P/;
 *         prints "files bytes records_per_segment_of_partition0_first"
 * tier-upload BUCKET PREFIX DIR [WARMUP_DIR]
 *         a TieringService pass ignoring the upload delay (what `tiered-archive archive` and the sink run) over DIR
 *         after removing its .tiered marks; prints "millis bytes_sent segments". With WARMUP_DIR, an untimed pass
 *         over it (to PREFIX-warmup, removed after) comes first, in the same JVM: a worker's tier is warm.
 * create-bucket BUCKET
 * empty BUCKET PREFIX              deletes every object under PREFIX/ (DeleteObjects, 1,000 keys a request)
 * put-objects BUCKET PREFIX COUNT BYTES CONCURRENCY
 *         COUNT random objects of BYTES each (single PutObject each: MD5 ETags); prints "objects bytes millis"
 * count BUCKET PREFIX              prints "objects bytes"
 * wait-events BOOTSTRAP TOPIC COUNT TIMEOUT_S
 *         reads copy events until COUNT; prints "events last_event_time_ms copied skipped failed modes"
 * first-record BUCKET PREFIX TOPIC PARTITION OFFSET CACHE_DIR REPEATS
 *         per repeat (one store, warm): an empty restore cache and a new ArchiveReader; the time from
 *         fromOffset(OFFSET) to the first record returned; prints one "millis offset bytes_fetched" line per repeat
 * </pre>
 */
public class S3BenchTool {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        switch (args[0]) {
            case "make-segments" -> makeSegments(Path.of(args[1]), args[2], Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Long.parseLong(args[5]));
            case "tier-upload" -> {
                if (args.length > 4) {
                    tierUpload(args[1], args[2] + "-warmup", Path.of(args[4]));
                    empty(args[1], args[2] + "-warmup");
                }
                tierUpload(args[1], args[2], Path.of(args[3]));
            }
            case "create-bucket" -> createBucket(args[1]);
            case "empty" -> empty(args[1], args[2]);
            case "put-objects" -> putObjects(args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]),
                    Integer.parseInt(args[5]));
            case "count" -> count(args[1], args[2]);
            case "wait-events" -> waitEvents(args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]));
            case "first-record" -> firstRecord(args[1], args[2], args[3], Integer.parseInt(args[4]),
                    Long.parseLong(args[5]), Path.of(args[6]), Integer.parseInt(args[7]));
            default -> usage();
        }
        System.exit(0); // SDK and Kafka threads are daemon or pooled; do not wait for them
    }

    private static void usage() {
        System.err.println("usage: S3BenchTool make-segments|tier-upload|create-bucket|empty|put-objects|count|"
                + "wait-events|first-record ...");
        System.exit(2);
    }

    static S3Connection connection(String bucket, String prefix) {
        Map<String, String> props = new HashMap<>();
        props.put("s3.bucket", bucket);
        props.put("s3.prefix", prefix);
        props.put("s3.endpoint", env("S3_ENDPOINT"));
        props.put("s3.path.style.access", "true");
        props.put("s3.access.key.id", env("S3_ACCESS_KEY"));
        props.put("s3.secret.access.key", env("S3_SECRET_KEY"));
        // Extra connector keys for a run, e.g. S3BENCH_S3_KEYS="s3.part.size.bytes=134217728,s3.max.concurrency=8"
        String extra = System.getenv("S3BENCH_S3_KEYS");
        if (extra != null && !extra.isBlank()) {
            for (String kv : extra.split(",")) {
                String[] p = kv.split("=", 2);
                props.put(p[0].trim(), p[1].trim());
            }
        }
        return RemoteSegmentStore.connectionOf(props);
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException(name + " is not set");
        }
        return v;
    }

    // --- case 3 and 5: segments ---------------------------------------------------------------------------------

    static void makeSegments(Path dir, String topic, int partitions, int perPartition, long segmentBytes)
            throws Exception {
        SegmentWriterOptions options = new SegmentWriterOptions("none", null, 1024 * 1024, "bench-writer");
        Random random = new Random(42);
        byte[] value = new byte[1024];
        long files = 0;
        long bytes = 0;
        long firstCount = -1;
        long t0 = 1_700_000_000_000L;
        for (int p = 0; p < partitions; p++) {
            long offset = 0;
            Path partitionDir = dir.resolve(topic + "-" + p);
            for (int s = 0; s < perPartition; s++) {
                try (SegmentWriter writer = SegmentWriter.create(partitionDir, topic, p, offset, options)) {
                    while (writer.sizeInBytes() < segmentBytes) {
                        random.nextBytes(value);
                        writer.append(new ArchivedRecord(offset, t0 + offset, TimestampType.CREATE_TIME,
                                ("key-" + offset).getBytes(), value.clone()));
                        offset++;
                    }
                    SegmentMetadata meta = writer.seal(System.currentTimeMillis());
                    if (firstCount < 0) {
                        firstCount = meta.recordCount();
                    }
                    bytes += meta.log().size() + meta.offsetIndex().size() + meta.timeIndex().size()
                            + Files.size(writer.files().marker());
                    files += 4;
                }
            }
        }
        System.out.println(files + " " + bytes + " " + firstCount);
    }

    static void tierUpload(String bucket, String prefix, Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(f -> f.toString().endsWith(LocalTier.TIERED_SUFFIX)).toList()) {
                Files.delete(p);
            }
        }
        // The settings `tiered-archive archive` uses: no delay, keep local copies, default upload threads.
        TieringSettings settings = new TieringSettings(dir, 0, -1, -1, TieringSettings.DEFAULT_SCAN_INTERVAL_MS,
                TieringSettings.DEFAULT_UPLOAD_THREADS, 0, 0);
        try (TieringService service = new TieringService(settings,
                RemoteSegmentStore.create(connection(bucket, prefix)), System::currentTimeMillis)) {
            long start = System.nanoTime();
            service.archiveNow();
            long millis = (System.nanoTime() - start) / 1_000_000;
            TieringStats stats = service.stats();
            if (stats.pendingSegments() > 0) {
                throw new IllegalStateException(stats.pendingSegments() + " segments not uploaded: "
                        + stats.lastError());
            }
            System.out.println(millis + " " + stats.uploadedBytes() + " " + stats.uploadedSegments());
        }
    }

    // --- case 4: objects ---------------------------------------------------------------------------------------

    static void createBucket(String bucket) {
        try (S3AsyncClient s3 = S3ClientFactory.asyncClient(connection(bucket, ""))) {
            s3.createBucket(b -> b.bucket(bucket)).join();
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof BucketAlreadyOwnedByYouException)) {
                throw e;
            }
        }
    }

    static void empty(String bucket, String prefix) {
        try (S3AsyncClient s3 = S3ClientFactory.asyncClient(connection(bucket, ""))) {
            long deleted = 0;
            while (true) {
                ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix + "/")).join();
                if (page.contents().isEmpty()) {
                    break;
                }
                List<ObjectIdentifier> ids = page.contents().stream()
                        .map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
                s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(ids).quiet(true).build()))
                        .join();
                deleted += ids.size();
            }
            System.out.println(deleted);
        }
    }

    static void putObjects(String bucket, String prefix, int count, long size, int concurrency) throws Exception {
        Random random = new Random(7);
        Path scratch = null;
        byte[] small = null;
        if (size > 16L * 1024 * 1024) {
            // Large objects are sent from a file (not held in memory); each gets its own first 8 bytes.
            scratch = Files.createTempFile("s3bench", ".bin");
            try (OutputStream out = Files.newOutputStream(scratch)) {
                byte[] block = new byte[1024 * 1024];
                for (long w = 0; w < size; w += block.length) {
                    random.nextBytes(block);
                    out.write(block, 0, (int) Math.min(block.length, size - w));
                }
            }
        } else {
            small = new byte[(int) size];
        }
        Semaphore permits = new Semaphore(concurrency);
        List<CompletableFuture<?>> all = new ArrayList<>();
        long start = System.nanoTime();
        try (S3AsyncClient s3 = S3ClientFactory.asyncClient(connection(bucket, ""))) {
            for (int i = 0; i < count; i++) {
                String key = prefix + "/" + String.format("obj-%06d.bin", i);
                AsyncRequestBody body;
                if (small != null) {
                    byte[] content = new byte[small.length];
                    random.nextBytes(content);
                    body = AsyncRequestBody.fromBytes(content);
                } else {
                    body = AsyncRequestBody.fromFile(scratch);
                }
                permits.acquire();
                all.add(s3.putObject(b -> b.bucket(bucket).key(key), body)
                        .whenComplete((r, e) -> permits.release()));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        } finally {
            if (scratch != null) {
                Files.deleteIfExists(scratch);
            }
        }
        System.out.println(count + " " + count * size + " " + (System.nanoTime() - start) / 1_000_000);
    }

    static void count(String bucket, String prefix) {
        try (S3AsyncClient s3 = S3ClientFactory.asyncClient(connection(bucket, ""))) {
            long objects = 0;
            long bytes = 0;
            String token = null;
            do {
                String t = token;
                ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix + "/")
                        .continuationToken(t)).join();
                for (S3Object o : page.contents()) {
                    objects++;
                    bytes += o.size();
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
            System.out.println(objects + " " + bytes);
        }
    }

    static void waitEvents(String bootstrap, String topic, int expected, long timeoutS) throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "s3bench-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, Integer> statuses = new TreeMap<>();
        Map<String, Integer> modes = new TreeMap<>();
        long events = 0;
        long lastTime = -1;
        long deadline = System.currentTimeMillis() + timeoutS * 1000;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (events < expected) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("only " + events + " of " + expected + " events on " + topic
                            + " after " + timeoutS + " s: " + statuses);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode event = JSON.readTree(r.value());
                    events++;
                    lastTime = Math.max(lastTime, r.timestamp());
                    statuses.merge(event.path("status").asText(), 1, Integer::sum);
                    modes.merge(event.path("mode").asText("none"), 1, Integer::sum);
                }
            }
        }
        System.out.println(events + " " + lastTime + " " + statuses.getOrDefault("copied", 0) + " "
                + statuses.getOrDefault("skipped", 0) + " " + statuses.getOrDefault("failed", 0) + " "
                + modes.toString().replace(" ", ""));
    }

    // --- case 5: restore on demand -------------------------------------------------------------------------------

    static void firstRecord(String bucket, String prefix, String topic, int partition, long offset, Path cacheRoot,
                            int repeats) throws Exception {
        // The store (its S3 client and connections) lives as long as the replay task; the reader, its cursor and
        // an empty restore cache are new per repeat. One untimed read first, so that class loading and JIT do not
        // count: a replay task or a REST worker runs in a JVM that has read before.
        try (RemoteSegmentStore store = RemoteSegmentStore.create(connection(bucket, prefix))) {
            for (int i = -1; i < repeats; i++) {
                Path cacheDir = cacheRoot.resolve("cache-" + (i + 1));
                long start = System.nanoTime();
                try (ArchiveReader reader = new ArchiveReader(store, null, new RestoreCache(cacheDir, 2L << 30),
                        readerOptions());
                     ArchiveCursor cursor = openTimed(reader, topic, partition, i < 0 ? offset / 2 : offset, start)) {
                    ArchivedRecord first = cursor.next();
                    long micros = (System.nanoTime() - start) / 1000;
                    if (first == null) {
                        throw new IllegalStateException("no record at " + offset + " of " + topic + "-" + partition);
                    }
                    if (i >= 0) {
                        System.out.println(String.format("%.3f", micros / 1000.0) + " " + first.offset() + " "
                                + reader.stats().bytesFetched());
                    }
                }
                deleteTree(cacheDir);
            }
        }
    }

    private static ArchiveReader.Options readerOptions() {
        String o = System.getenv("S3BENCH_READER");
        if (o == null) {
            return ArchiveReader.Options.DEFAULT;
        }
        String[] p = o.split(",");
        return new ArchiveReader.Options(Integer.parseInt(p[0]), Integer.parseInt(p[1]), 8, 5_000);
    }

    private static ArchiveCursor openTimed(ArchiveReader reader, String topic, int partition, long offset,
                                           long start) throws Exception {
        long opening = System.nanoTime();
        ArchiveCursor cursor = reader.fromOffset(ArchivePartition.legacy(topic, partition), offset);
        System.err.printf("client+reader %.1f ms, view %.1f ms%n", (opening - start) / 1e6,
                (System.nanoTime() - opening) / 1e6);
        return cursor;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
