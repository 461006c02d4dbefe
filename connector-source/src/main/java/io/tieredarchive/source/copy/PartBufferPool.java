package io.tieredarchive.source.copy;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.tieredarchive.config.S3Connection;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory budget of a task's stream copies: every heap byte a stream copy holds object data in, its own buffer
 * and what the AWS SDK holds for the request that fills or sends it, is counted against one limit
 * ({@code copy.concurrency x copy.part.size.bytes}), however large the objects. A copy leases a buffer for one part
 * (or one small object), fills it with a ranged GET, uploads it and closes the lease; while the budget is spent the
 * next lease waits, in the order the leases were asked for.
 *
 * <p>A lease of {@code n} bytes costs the heap its buffer takes (with G1, an array of half a region or more fills
 * whole regions: an 8 MiB part takes 9 MiB of a heap of 1 MiB regions) plus the most heap the SDK keeps for one
 * request of it ({@link #requestOverheadBytes}: 2.5 MiB with the SDK's request checksums, 0.5 MiB without). The
 * task's clients and threads take {@link #TASK_OVERHEAD_BYTES} of the budget for good.
 * {@link StreamCopier} keeps the SDK's share bounded: a GET is read straight into the buffer one network chunk at a
 * time ({@link BufferFillingTransformer}), an upload hands the SDK the buffer in pieces as the connection asks for
 * them ({@link LeasedBufferBody}), and neither lets the SDK keep the buffer reachable once the request is over. A
 * lease that alone exceeds the limit (one part with {@code copy.concurrency=1}) is let through when nothing else is
 * leased.
 *
 * <p>Buffers are allocated per lease and dropped when it closes: nothing is held between copies, and a buffer a
 * cancelled request might still touch is never handed to another copy. The accounting ({@link #peakLeasedBytes()},
 * {@link #leasedBytesTotal()}) is exported as metrics, so that tests and operators can see the bound hold.
 */
public final class PartBufferPool {

    /**
     * Heap the SDK holds, at most, for one request of a lease beyond the lease's own buffer, without request
     * checksums ({@code s3.checksum.mode=when_required}; the copy's uploads always carry Content-MD5): a download's
     * network chunk being copied into the buffer, an upload's pieces and their aws-chunked framing (payload signing
     * over plain HTTP). Measured with a heap sampled after full GCs on SDK 2.56: at most 0.2 MiB per request.
     */
    public static final long REQUEST_OVERHEAD_BYTES = 512 * 1024;
    /**
     * The same with the SDK's own request checksums ({@code s3.checksum.mode=when_supported}, the default): it sends
     * an upload's CRC32 as a trailer of an aws-chunked body and holds up to about 2 MiB of encoded 128 KiB chunks per
     * upload (measured: 1.9 MiB).
     */
    public static final long CHECKSUM_REQUEST_OVERHEAD_BYTES = 2560 * 1024;

    /**
     * Heap a task's copy holds whatever it copies, charged to the budget once: its two S3 clients (their
     * connection pools and event loops), its threads and metrics (measured: 0.7 MiB).
     */
    public static final long TASK_OVERHEAD_BYTES = 1024 * 1024;

    /** What one request of a lease may hold in the SDK, for uploads to {@code destination}. */
    public static long requestOverheadBytes(S3Connection destination) {
        return destination.checksumMode() == S3Connection.ChecksumMode.WHEN_SUPPORTED
                ? CHECKSUM_REQUEST_OVERHEAD_BYTES : REQUEST_OVERHEAD_BYTES;
    }

    /** Bytes of an array's header, charged with it. */
    private static final int ARRAY_HEADER_BYTES = 16;

    private final long limitBytes;
    private final int maxLeaseBytes;
    private final long requestOverheadBytes;
    private final long heapRegionBytes;
    private final AtomicLong peakLeasedBytes = new AtomicLong();
    private final AtomicLong leasedBytesTotal = new AtomicLong();
    private final AtomicLong allocatedBytes = new AtomicLong();
    /** Leases waiting, in the order they were asked for (guarded by this). */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private long reservedBytes;
    /** What {@link #reservedBytes} holds with no lease open: the task's own share. */
    private final long fixedBytes;

    /**
     * A budget of {@code buffers x bufferBytes}, for leases of at most {@code bufferBytes}, each also charged
     * {@code requestOverheadBytes} (see {@link #requestOverheadBytes}).
     */
    public PartBufferPool(int buffers, long bufferBytes, long requestOverheadBytes) {
        this(buffers, bufferBytes, requestOverheadBytes, TASK_OVERHEAD_BYTES, g1RegionBytes());
    }

    /**
     * @param taskOverheadBytes what the task holds besides the leases, charged for good
     * @param heapRegionBytes the G1 region size, or 0 when the heap has none: G1 gives an array of half a region or
     *                        more whole regions of its own, and a buffer is charged what it takes
     */
    PartBufferPool(int buffers, long bufferBytes, long requestOverheadBytes, long taskOverheadBytes,
                   long heapRegionBytes) {
        if (buffers < 1 || bufferBytes < 1 || bufferBytes > Integer.MAX_VALUE - 8 || requestOverheadBytes < 0
                || taskOverheadBytes < 0) {
            throw new IllegalArgumentException("buffers " + buffers + " of " + bufferBytes + " bytes");
        }
        this.limitBytes = (long) buffers * bufferBytes;
        this.maxLeaseBytes = (int) bufferBytes;
        this.requestOverheadBytes = requestOverheadBytes;
        this.heapRegionBytes = heapRegionBytes;
        this.reservedBytes = taskOverheadBytes;
        this.fixedBytes = reservedBytes;
        this.peakLeasedBytes.set(reservedBytes);
    }

    /** The heap an array of {@code bytes} takes: a G1 humongous object fills whole regions. */
    long footprint(long bytes) {
        long object = bytes + ARRAY_HEADER_BYTES;
        if (heapRegionBytes > 0 && object >= heapRegionBytes / 2) {
            return (object + heapRegionBytes - 1) / heapRegionBytes * heapRegionBytes;
        }
        return object;
    }

    /** The region size of this JVM's G1 heap, or 0 under another collector (or when the JVM does not say). */
    private static long g1RegionBytes() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hotspot != null && Boolean.parseBoolean(hotspot.getVMOption("UseG1GC").getValue())) {
                return Long.parseLong(hotspot.getVMOption("G1HeapRegionSize").getValue());
            }
        } catch (RuntimeException notHotSpot) {
            // No such option: charge the bytes alone.
        }
        return 0;
    }

    /** A buffer of exactly {@code bytes} (position 0, limit {@code bytes}); waits while the budget is spent. */
    public Lease lease(long bytes) throws InterruptedException {
        if (bytes < 0 || bytes > maxLeaseBytes) {
            throw new IllegalArgumentException("Lease of " + bytes + " bytes from buffers of " + maxLeaseBytes);
        }
        long footprint = footprint(bytes);
        long cost = footprint + requestOverheadBytes;
        synchronized (this) {
            Object turn = new Object();
            waiting.add(turn);
            try {
                while (waiting.peek() != turn || (reservedBytes > fixedBytes && reservedBytes + cost > limitBytes)) {
                    wait();
                }
            } catch (InterruptedException e) {
                waiting.remove(turn);
                notifyAll();
                throw e;
            }
            waiting.remove();
            reservedBytes += cost;
            peakLeasedBytes.accumulateAndGet(reservedBytes, Math::max);
            notifyAll();
        }
        leasedBytesTotal.addAndGet(bytes);
        allocatedBytes.addAndGet(footprint);
        return new Lease(ByteBuffer.allocate((int) bytes), footprint, cost);
    }

    private synchronized void release(long cost, long footprint) {
        reservedBytes -= cost;
        allocatedBytes.addAndGet(-footprint);
        notifyAll();
    }

    /** Most bytes the leases may hold together: {@code copy.concurrency x copy.part.size.bytes}. */
    public long limitBytes() {
        return limitBytes;
    }

    /** Bytes leased right now, the SDK's share of each request included. */
    public synchronized long leasedBytes() {
        return reservedBytes;
    }

    /** Most bytes ever leased at the same time, the SDK's share of each request included. */
    public long peakLeasedBytes() {
        return peakLeasedBytes.get();
    }

    /** Object bytes leased since the pool was made: every byte a stream copy moved went through a lease. */
    public long leasedBytesTotal() {
        return leasedBytesTotal.get();
    }

    /** Heap held by the buffers of the open leases (as the collector counts it). */
    public long allocatedBytes() {
        return allocatedBytes.get();
    }

    /** A leased buffer; closing it gives its bytes back to the budget. */
    public final class Lease implements AutoCloseable {
        private ByteBuffer buffer;
        private final long footprint;
        private final long cost;
        private boolean closed;

        private Lease(ByteBuffer buffer, long footprint, long cost) {
            this.buffer = buffer;
            this.footprint = footprint;
            this.cost = cost;
        }

        /** The buffer; not to be kept beyond {@link #close()}. */
        public ByteBuffer buffer() {
            if (closed) {
                throw new IllegalStateException("The lease is closed");
            }
            return buffer;
        }

        /**
         * Gives the bytes back. The buffer is dropped first, so that the next lease's buffer is never allocated
         * while this one is still reachable from here.
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            buffer = null;
            release(cost, footprint);
        }
    }
}
