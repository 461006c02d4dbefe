package io.tieredarchive.segment.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A byte array and how much of it is used, grown by doubling: where batches are built, compressed into and
 * decompressed into. Unlike {@link java.io.ByteArrayOutputStream} it hands out its array, so that codecs write into
 * it and readers parse it without a copy. Not thread-safe.
 */
public final class GrowableBytes {

    private byte[] array;
    private int size;

    public GrowableBytes(int initialCapacity) {
        this.array = new byte[initialCapacity];
    }

    /** The backing array; valid until the next call that may grow it. Bytes {@code [0, size())} are in use. */
    public byte[] array() {
        return array;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return array.length;
    }

    /** Room left before the array must grow. */
    public int remaining() {
        return array.length - size;
    }

    /** Forgets the contents; keeps the array. */
    public void clear() {
        size = 0;
    }

    /** Marks {@code count} more bytes, written straight into {@link #array()} at {@link #size()}, as used. */
    public void advance(int count) {
        if (count < 0 || count > remaining()) {
            throw new IllegalArgumentException("cannot advance " + count + " bytes with " + remaining() + " left");
        }
        size += count;
    }

    /** Sets the used size, within the array. */
    public void size(int newSize) {
        if (newSize < 0 || newSize > array.length) {
            throw new IllegalArgumentException("size " + newSize + " outside 0.." + array.length);
        }
        size = newSize;
    }

    /**
     * Makes room for {@code count} more bytes: at least doubles the array when it must grow, but never past
     * {@code softLimit} unless the bytes themselves need more (so a batch's buffer stays within its batch size).
     */
    public void ensureRemaining(int count, int softLimit) {
        int capacity = grownCapacity(count, softLimit);
        if (capacity > array.length) {
            array = Arrays.copyOf(array, capacity);
        }
    }

    /**
     * The capacity {@link #ensureRemaining(int, int)} grows to for {@code count} more bytes, or the current one
     * when they fit.
     */
    public int grownCapacity(int count, int softLimit) {
        long needed = (long) size + count;
        if (needed <= array.length) {
            return array.length;
        }
        if (needed > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("cannot hold " + needed + " bytes in one array");
        }
        long doubled = Math.min(2L * array.length, Math.max(softLimit, needed));
        return (int) Math.max(needed, doubled);
    }

    /**
     * Moves the contents into {@code larger} (at least {@link #size()} bytes), which becomes this buffer's array;
     * returns the array it replaces, for the caller to reuse.
     */
    public byte[] moveTo(byte[] larger) {
        if (larger.length < size) {
            throw new IllegalArgumentException("array of " + larger.length + " bytes cannot hold " + size);
        }
        System.arraycopy(array, 0, larger, 0, size);
        byte[] old = array;
        array = larger;
        return old;
    }

    /** {@link #ensureRemaining(int, int)} without a limit on doubling. */
    public void ensureRemaining(int count) {
        ensureRemaining(count, Integer.MAX_VALUE - 8);
    }

    public void write(byte[] bytes, int offset, int length) {
        ensureRemaining(length);
        System.arraycopy(bytes, offset, array, size, length);
        size += length;
    }

    /** Appends everything {@code in} yields until its end, reading straight into the array. */
    public void readFully(InputStream in) throws IOException {
        while (true) {
            ensureRemaining(Math.max(8 * 1024, size / 2));
            int n = in.read(array, size, remaining());
            if (n < 0) {
                return;
            }
            size += n;
        }
    }

    /** The bytes in use, as a buffer over the array (no copy). */
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(array, 0, size);
    }

    /** An output stream that appends to this buffer. */
    public OutputStream asOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                ensureRemaining(1);
                array[size++] = (byte) b;
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                GrowableBytes.this.write(bytes, offset, length);
            }
        };
    }
}
