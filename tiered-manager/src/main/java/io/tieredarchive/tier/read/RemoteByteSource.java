package io.tieredarchive.tier.read;

import io.tieredarchive.segment.ByteSource;
import io.tieredarchive.tier.storage.ObjectFetcher;
import io.tieredarchive.tier.storage.StorageException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * An object read with ranged GETs as a {@link ByteSource}. The object is seen as chunks of {@code chunkBytes}
 * (chunk {@code i} covers {@code [i * chunkBytes, (i + 1) * chunkBytes)}); a read at a position fetches that
 * chunk and, on {@code executor}, the {@code readAhead} chunks after it, so a forward reader rarely waits. On a
 * miss (the reader has to wait) the chunk is fetched alone and the read-ahead starts once it is there, so that the
 * first bytes of a read come as fast as one GET allows.
 * Nothing before the first position read is fetched, and chunks behind the reader are dropped (but the last
 * one, which a reader refilling its buffer at a batch boundary may step back into): reading from the
 * middle of a segment costs only the bytes from there on (plus at most {@code readAhead} chunks past where the
 * reader stops). Meant for one reader moving forward; other patterns are correct but fetch more.
 */
public final class RemoteByteSource implements ByteSource {

    private final ObjectFetcher fetcher;
    private final String key;
    private final String name;
    private final long size;
    private final int chunkBytes;
    private final int readAhead;
    private final Executor executor;
    private final TreeMap<Long, CompletableFuture<byte[]>> chunks = new TreeMap<>();

    /**
     * @param key   object key
     * @param name  for messages, e.g. {@code s3://bucket/key}
     * @param size  the object's size (from its marker: no HEAD needed)
     */
    public RemoteByteSource(ObjectFetcher fetcher, String key, String name, long size, int chunkBytes, int readAhead,
                            Executor executor) {
        if (chunkBytes <= 0 || readAhead < 0) {
            throw new IllegalArgumentException("chunkBytes must be positive and readAhead not negative");
        }
        this.fetcher = fetcher;
        this.key = key;
        this.name = name;
        this.size = size;
        this.chunkBytes = chunkBytes;
        this.readAhead = readAhead;
        this.executor = executor;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public synchronized int read(long position, ByteBuffer dst) throws IOException {
        if (position >= size) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        long index = position / chunkBytes;
        dropBefore(index - 1); // keep one chunk behind: a reader refilling its buffer may step back into it
        boolean miss = !chunks.containsKey(index);
        CompletableFuture<byte[]> wanted = chunks.computeIfAbsent(index, this::fetchAsync);
        if (miss) {
            // The caller waits: fetch the chunks this read asks for at once (a buffer starting inside a chunk
            // needs the next one too), and the read-ahead only once they are here, so that it does not share
            // the connection and the store's time with them.
            long lastWanted = Math.min((size - 1) / chunkBytes, (position + dst.remaining() - 1) / chunkBytes);
            for (long i = index + 1; i <= lastWanted; i++) {
                chunks.computeIfAbsent(i, this::fetchAsync);
            }
        } else {
            fetchAhead(index);
        }
        byte[] chunk = await(wanted, position);
        if (miss) {
            fetchAhead(index);
        }
        long chunkStart = index * chunkBytes;
        long expected = Math.min(chunkBytes, size - chunkStart);
        if (chunk.length != expected) {
            throw new IOException(name + " has " + (chunkStart + chunk.length) + " bytes where " + size
                    + " were expected (at byte " + chunkStart + ")");
        }
        int offset = (int) (position - chunkStart);
        int n = Math.min(dst.remaining(), chunk.length - offset);
        dst.put(chunk, offset, n);
        return n;
    }

    /**
     * Starts fetching the chunk holding {@code position} and the read-ahead after it, without waiting: for a
     * caller that knows it will read there soon (an index, while another one is read).
     */
    public synchronized void prefetch(long position) {
        if (position < 0 || position >= size) {
            return;
        }
        long index = position / chunkBytes;
        chunks.computeIfAbsent(index, this::fetchAsync);
        fetchAhead(index);
    }

    /**
     * Starts fetching the chunks holding {@code from..to} (bytes, inclusive; clamped to the object), no read-ahead,
     * without waiting: for a caller that guesses where it will read first. Those the reader does not come to are
     * dropped once it reads past them.
     */
    public synchronized void prefetchChunks(long from, long to) {
        if (size == 0 || from >= size) {
            return;
        }
        long last = Math.min(size - 1, to) / chunkBytes;
        for (long i = Math.max(0, from) / chunkBytes; i <= last; i++) {
            chunks.computeIfAbsent(i, this::fetchAsync);
        }
    }

    private void fetchAhead(long index) {
        long last = (size - 1) / chunkBytes;
        for (long i = index + 1; i <= Math.min(last, index + readAhead); i++) {
            chunks.computeIfAbsent(i, this::fetchAsync);
        }
    }

    private CompletableFuture<byte[]> fetchAsync(long index) {
        long start = index * chunkBytes;
        int length = (int) Math.min(chunkBytes, size - start);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return fetcher.fetch(key, start, length);
            } catch (StorageException e) {
                throw new CompletionException(e);
            }
        }, executor);
    }

    private byte[] await(CompletableFuture<byte[]> chunk, long position) throws IOException {
        try {
            return chunk.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted reading " + name + " at byte " + position);
        } catch (ExecutionException e) {
            chunks.values().remove(chunk); // a later read tries again
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause()
                    : e.getCause();
            throw new IOException("Cannot read " + name + " at byte " + position + ": " + cause.getMessage(), cause);
        }
    }

    private void dropBefore(long index) {
        Iterator<Map.Entry<Long, CompletableFuture<byte[]>>> it = chunks.headMap(index).entrySet().iterator();
        while (it.hasNext()) {
            it.next().getValue().cancel(false);
            it.remove();
        }
    }

    @Override
    public synchronized void close() {
        dropBefore(Long.MAX_VALUE);
    }

    @Override
    public String toString() {
        return "RemoteByteSource(" + name + ")";
    }
}
