package io.tieredarchive.segment;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Random access to the bytes of one file or object: a local file ({@link FileByteSource}) or an object in S3
 * read with ranged GETs. Reads at explicit positions, so one source may serve several readers at once if the
 * implementation allows it ({@link FileByteSource} does).
 */
public interface ByteSource extends Closeable {

    /** The file path or object key, for error messages. */
    String name();

    /** Size in bytes. */
    long size() throws IOException;

    /** Reads up to {@code dst.remaining()} bytes at {@code position} into {@code dst}; returns the number read, -1 at
     * the end. */
    int read(long position, ByteBuffer dst) throws IOException;

    /** Fills {@code dst} from {@code position}, or throws {@link EOFException} if the source ends first. */
    default void readFully(long position, ByteBuffer dst) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = read(at, dst);
            if (n < 0) {
                throw new EOFException(name() + " ends at byte " + at + ", before the " + dst.remaining()
                        + " more bytes wanted from position " + position);
            }
            at += n;
        }
    }

    /** Reads the whole source; meant for small objects such as indexes and markers. */
    default byte[] readAll() throws IOException {
        long size = size();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IOException(name() + " is too large to read at once: " + size + " bytes");
        }
        ByteBuffer all = ByteBuffer.allocate((int) size);
        readFully(0, all);
        return all.array();
    }
}
