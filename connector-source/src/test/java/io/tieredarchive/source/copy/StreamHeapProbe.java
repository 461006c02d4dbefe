package io.tieredarchive.source.copy;

import io.tieredarchive.metrics.ConnectPluginMetrics;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3ClientFactory;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

import com.sun.management.GarbageCollectorMXBean;
import com.sun.management.GcInfo;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The heap a stream copy holds, measured in a JVM of its own (started by {@code BucketCopyStreamHeapIT}): the live
 * heap (right after a full GC) is sampled while the task's copy machinery ({@link CopyWorkers}, {@link ObjectCopier},
 * one {@link PartBufferPool}) streams every object under a prefix from one bucket to another, and the peak above the
 * idle heap (the SDK loaded, as in a worker, but no client of the copy's yet) is printed with the pool's own
 * accounting:
 * <pre>RESULT idle=&lt;bytes&gt; peak=&lt;bytes&gt; poolPeak=&lt;bytes&gt; limit=&lt;bytes&gt; copied=&lt;objects&gt;</pre>
 *
 * <p>Arguments: endpoint, access key, secret key, source bucket, prefix, destination bucket, copy.concurrency,
 * copy.part.size.bytes, s3.checksum.mode ({@code WHEN_SUPPORTED} or {@code WHEN_REQUIRED}).
 */
public final class StreamHeapProbe {

    private static final long SAMPLE_EVERY_MS = 20;

    private StreamHeapProbe() {
    }

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        int concurrency = Integer.parseInt(args[6]);
        long partBytes = Long.parseLong(args[7]);
        S3Connection.ChecksumMode checksums = S3Connection.ChecksumMode.valueOf(args[8]);
        S3Connection source = connection(endpoint, args[1], args[2], args[3], checksums, partBytes);
        S3Connection destination = connection(endpoint, args[1], args[2], args[5], checksums, partBytes);
        String prefix = args[4];

        // A worker that runs the archive's connectors has the SDK loaded (its classes' constant pools, string
        // tables, caches: about 9 MiB once per JVM, whatever the number of clients); the copy's share starts after.
        try (S3AsyncClient warmUp = S3ClientFactory.asyncClient(source)) {
            warmUp.listObjectsV2(b -> b.bucket(source.bucket()).prefix(prefix).maxKeys(1)).join();
        }
        long idle = liveHeap();
        AtomicLong peak = new AtomicLong(idle);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(liveHeap(), Math::max);
                try {
                    Thread.sleep(SAMPLE_EVERY_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();

        PartBufferPool pool = new PartBufferPool(concurrency, partBytes,
                PartBufferPool.requestOverheadBytes(destination));
        CopySettings settings = new CopySettings(source, destination, false, false, partBytes, partBytes, false,
                false);
        int copied;
        try (S3AsyncClient sourceClient = S3ClientFactory.asyncClient(source);
             S3AsyncClient destinationClient = S3ClientFactory.asyncClient(destination)) {
            List<S3Object> objects = sourceClient.listObjectsV2(b -> b.bucket(source.bucket()).prefix(prefix))
                    .join().contents();
            ListingOrderTracker<CopyResult> tracker = new ListingOrderTracker<>(null);
            CopyMetrics metrics = new CopyMetrics(new ConnectPluginMetrics(
                    new PluginMetricsImpl(new Metrics(), Map.of())), "probe:", pool);
            AtomicReference<CopyException> failure = new AtomicReference<>();
            try (CopyWorkers workers = new CopyWorkers("probe", concurrency, parts -> new ObjectCopier(settings,
                    sourceClient, destinationClient, pool, parts), tracker, metrics, failure::set, e -> { })) {
                for (S3Object o : objects) {
                    tracker.register(o.key());
                    workers.submit(SourceObject.of(o), "copy/" + o.key());
                }
                copied = 0;
                while (copied < objects.size()) {
                    if (failure.get() != null) {
                        throw failure.get();
                    }
                    for (CopyResult r : tracker.awaitReady(200)) {
                        if (r.status() != CopyResult.Status.COPIED) {
                            throw new IllegalStateException("Not copied: " + r);
                        }
                        copied++;
                    }
                }
            }
        }
        sampler.interrupt();
        sampler.join();
        System.out.println("RESULT idle=" + idle + " peak=" + peak.get() + " poolPeak=" + pool.peakLeasedBytes()
                + " limit=" + pool.limitBytes() + " copied=" + copied);
    }

    /**
     * The heap in use right after a full collection, as the collector itself reports it (before any other thread
     * allocates again): what is live, at the granularity of the collector's regions.
     */
    static long liveHeap() {
        System.gc();
        long used = 0;
        GcInfo last = null;
        for (GarbageCollectorMXBean gc : ManagementFactory.getPlatformMXBeans(GarbageCollectorMXBean.class)) {
            GcInfo info = gc.getLastGcInfo();
            if (info != null && (last == null || info.getEndTime() > last.getEndTime())) {
                last = info;
            }
        }
        if (last == null) {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage after = last.getMemoryUsageAfterGc().get(pool.getName());
            if (pool.getType() == MemoryType.HEAP && after != null) {
                used += after.getUsed();
            }
        }
        return used;
    }

    private static S3Connection connection(String endpoint, String accessKey, String secretKey, String bucket,
                                           S3Connection.ChecksumMode checksums, long partBytes) {
        return new S3Connection(bucket, "", "us-east-1", endpoint, true, accessKey, new Password(secretKey),
                checksums, null, S3Connection.Sse.NONE, null, partBytes, 8, 3);
    }
}
