package io.tieredarchive.segment;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Arrays an open batch grows into, reused across batches and writers. A batch that fills to {@code batch.bytes}
 * doubles its buffer from 4 KiB up; without reuse each batch dropped about twice its size in arrays, the largest
 * of them (512 KiB and 1 MiB at the default batch size) humongous objects for G1, whose allocations started old
 * collections: on the benchmark's sink a third of all bytes allocated, and most of its old collections (JFR).
 * Kept: arrays whose size is a power of two from {@link #FROM_BYTES} to 16 MiB (the sizes doubling makes), at most
 * {@link #POOLED} of a size and at most {@link #POOLED_BYTES_PER_SIZE} of each size but one array: about 8 MiB idle at
 * the default batch.bytes of 1 MiB. A batch still holds at most twice its bytes. Thread-safe.
 */
final class BatchBuffers {

    /** Smaller arrays are cheap to allocate (thread-local) and are not kept. */
    static final int FROM_BYTES = 64 * 1024;
    /** Arrays kept per size: about the number of batches that fill at once in a worker. */
    private static final int POOLED = 4;
    private static final int POOLED_BYTES_PER_SIZE = 4 * 1024 * 1024;
    /** A larger array (a batch of one huge record) is dropped after use rather than kept. */
    private static final int LARGEST_POOLED_BYTES = 16 * 1024 * 1024;
    private static final ConcurrentMap<Integer, ArrayBlockingQueue<byte[]>> FREE = new ConcurrentHashMap<>();

    private BatchBuffers() {
    }

    /** An array of exactly {@code capacity} bytes (contents undefined), reused when one is free. */
    static byte[] take(int capacity) {
        if (pooled(capacity)) {
            ArrayBlockingQueue<byte[]> free = FREE.get(capacity);
            byte[] array = free == null ? null : free.poll();
            if (array != null) {
                return array;
            }
        }
        return new byte[capacity];
    }

    /** Gives back an array no longer used; kept for reuse if its size is worth it and its size's pool has room. */
    static void give(byte[] array) {
        if (pooled(array.length)) {
            FREE.computeIfAbsent(array.length,
                    size -> new ArrayBlockingQueue<>(Math.max(1, Math.min(POOLED, POOLED_BYTES_PER_SIZE / size))))
                    .offer(array);
        }
    }

    private static boolean pooled(int capacity) {
        return capacity >= FROM_BYTES && capacity <= LARGEST_POOLED_BYTES && Integer.bitCount(capacity) == 1;
    }
}
