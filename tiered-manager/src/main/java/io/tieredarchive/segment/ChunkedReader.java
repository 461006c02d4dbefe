package io.tieredarchive.segment;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads a {@link ByteSource} forward in large chunks, so that scanning batch headers and reading batches costs one
 * read per chunk rather than one per batch (each read may be an S3 request). Not thread-safe; a buffer it returns
 * is valid until the next call.
 */
final class ChunkedReader {

    private final ByteSource source;
    private final long limit;
    private final int chunkBytes;
    private ByteBuffer chunk = ByteBuffer.allocate(0);
    private long chunkStart = -1;

    /** Reads {@code source} up to byte {@code limit} (exclusive), {@code chunkBytes} at a time or more. */
    ChunkedReader(ByteSource source, long limit, int chunkBytes) {
        this.source = source;
        this.limit = limit;
        this.chunkBytes = chunkBytes;
    }

    /**
     * The {@code length} bytes at {@code position}, or fewer when the limit comes first, as a buffer
     * positioned at 0.
     */
    ByteBuffer read(long position, int length) throws IOException {
        long wantedEnd = Math.min(limit, position + length);
        if (chunkStart < 0 || position < chunkStart || wantedEnd > chunkStart + chunk.limit()) {
            fill(position, (int) Math.min(Math.max(chunkBytes, length), limit - position));
        }
        int from = (int) (position - chunkStart);
        return chunk.duplicate().position(from).limit(from + (int) (wantedEnd - position)).slice();
    }

    private void fill(long position, int size) throws IOException {
        if (chunk.capacity() < size) {
            chunk = ByteBuffer.allocate(size);
        }
        chunk.clear().limit(size);
        source.readFully(position, chunk);
        chunk.flip();
        chunkStart = position;
    }

    long limit() {
        return limit;
    }

    String name() {
        return source.name();
    }
}
