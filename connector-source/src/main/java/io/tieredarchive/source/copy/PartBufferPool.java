package io.tieredarchive.source.copy;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The only memory a stream copy holds object bytes in: at most {@code buffers} heap buffers of {@code bufferBytes}
 * each, so a task never holds more than {@link #limitBytes()} of object data, however large the objects. A copy
 * leases a buffer for one part (or one small object), fills it with a ranged GET, uploads it and returns it;
 * when all buffers are leased the next lease waits.
 *
 * <p>The accounting ({@link #peakLeasedBytes()}, {@link #leasedBytesTotal()}) is exported as metrics, so that
 * tests and operators can see the bound hold.
 */
public final class PartBufferPool {

    private final int bufferBytes;
    private final int buffers;
    private final Semaphore available;
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final AtomicLong leasedBytes = new AtomicLong();
    private final AtomicLong peakLeasedBytes = new AtomicLong();
    private final AtomicLong leasedBytesTotal = new AtomicLong();
    private final AtomicLong allocatedBytes = new AtomicLong();

    public PartBufferPool(int buffers, long bufferBytes) {
        if (buffers < 1 || bufferBytes < 1 || bufferBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("buffers " + buffers + " of " + bufferBytes + " bytes");
        }
        this.buffers = buffers;
        this.bufferBytes = (int) bufferBytes;
        this.available = new Semaphore(buffers, true);
    }

    /** A buffer of exactly {@code bytes} (position 0, limit {@code bytes}); waits while all buffers are leased. */
    public Lease lease(long bytes) throws InterruptedException {
        if (bytes < 0 || bytes > bufferBytes) {
            throw new IllegalArgumentException("Lease of " + bytes + " bytes from buffers of " + bufferBytes);
        }
        available.acquire();
        ByteBuffer buffer = free.poll();
        if (buffer == null) {
            buffer = ByteBuffer.allocate(bufferBytes);
            allocatedBytes.addAndGet(bufferBytes);
        }
        buffer.clear().limit((int) bytes);
        long now = leasedBytes.addAndGet(bytes);
        peakLeasedBytes.accumulateAndGet(now, Math::max);
        leasedBytesTotal.addAndGet(bytes);
        return new Lease(buffer, bytes);
    }

    /** Most object bytes the pool may hold: buffers x buffer size. */
    public long limitBytes() {
        return (long) buffers * bufferBytes;
    }

    /** Bytes leased right now. */
    public long leasedBytes() {
        return leasedBytes.get();
    }

    /** Most bytes ever leased at the same time. */
    public long peakLeasedBytes() {
        return peakLeasedBytes.get();
    }

    /** Bytes leased since the pool was made: every byte a stream copy moved went through a lease. */
    public long leasedBytesTotal() {
        return leasedBytesTotal.get();
    }

    /** Heap held by the pool's buffers (leased or free). */
    public long allocatedBytes() {
        return allocatedBytes.get();
    }

    /** A leased buffer; closing it returns the buffer to the pool. */
    public final class Lease implements AutoCloseable {
        private final ByteBuffer buffer;
        private final long bytes;
        private boolean reusable = true;
        private boolean closed;

        private Lease(ByteBuffer buffer, long bytes) {
            this.buffer = buffer;
            this.bytes = bytes;
        }

        public ByteBuffer buffer() {
            return buffer;
        }

        /**
         * Do not hand this buffer out again: a request that was cancelled (the task stopping) might still read
         * it. The pool allocates a fresh one when needed; the old one is garbage once the request lets go.
         */
        public void discard() {
            reusable = false;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            leasedBytes.addAndGet(-bytes);
            if (reusable) {
                free.add(buffer);
            } else {
                allocatedBytes.addAndGet(-bufferBytes);
            }
            available.release();
        }
    }
}
