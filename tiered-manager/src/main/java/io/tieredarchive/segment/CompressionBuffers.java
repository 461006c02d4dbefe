package io.tieredarchive.segment;

import io.tieredarchive.segment.codec.GrowableBytes;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * The buffers batches are compressed into, shared by every writer of this plugin copy: a compressed batch lives only
 * from its build to its write, so a few buffers serve any number of writers, and a writer between batches holds
 * none. Thread-safe.
 */
final class CompressionBuffers {

    /** Buffers kept for reuse: about the number of threads that flush batches at once. */
    private static final int POOLED = 4;
    /** A larger buffer (a batch of one huge record) is dropped after use rather than kept. */
    private static final int LARGEST_POOLED_BYTES = 16 * 1024 * 1024;
    private static final int INITIAL_BYTES = 64 * 1024;
    private static final ArrayBlockingQueue<GrowableBytes> FREE = new ArrayBlockingQueue<>(POOLED);

    private CompressionBuffers() {
    }

    static GrowableBytes take() {
        GrowableBytes buffer = FREE.poll();
        return buffer != null ? buffer : new GrowableBytes(INITIAL_BYTES);
    }

    static void give(GrowableBytes buffer) {
        if (buffer.capacity() <= LARGEST_POOLED_BYTES) {
            buffer.clear();
            FREE.offer(buffer);
        }
    }
}
