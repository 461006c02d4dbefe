package io.tieredarchive.scaling;

import io.tieredarchive.tier.storage.Checksums;
import io.tieredarchive.tier.storage.ObjectInfo;
import io.tieredarchive.tier.storage.ObjectNotFoundException;
import io.tieredarchive.tier.storage.PreconditionFailedException;
import io.tieredarchive.tier.storage.StorageBackend;
import io.tieredarchive.tier.storage.StorageException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * An in-memory object store that counts the requests S3 would bill for each call of the tier, for the scaling
 * simulation. It behaves like AWS S3 for the tier: conditional writes are atomic (no read-back), an upload is
 * vouched for by its CRC32C (computed here from the file, as S3 checks the body), and a file larger than
 * {@code s3.part.size.bytes} goes up as a multipart upload (CreateMultipartUpload, one UploadPart per part,
 * CompleteMultipartUpload), as {@code S3StorageBackend} sends it.
 *
 * <p>Only the small JSON objects (markers, manifests, incarnations) keep their bytes: the tier reads those back.
 * The {@code .log}, {@code .index} and {@code .timeindex} keep their size and checksum only.
 *
 * <p>{@link #byteScale}: the simulation may run a busy partition with 1/{@code byteScale} of its bytes (and
 * {@code segment.bytes}, {@code batch.bytes} and the part size divided alike); a {@code .log} then counts as
 * {@code byteScale} times its size, for the part count and for the size of the objects. Indexes and JSON objects do
 * not scale (one index entry per batch, as many batches per segment either way).
 */
public final class CountingMemoryBackend implements StorageBackend {

    /** The request kinds S3 bills. */
    public enum Kind { PUT, POST, GET, HEAD, LIST, DELETE }

    private record Stored(long size, long logicalSize, String etag, String crc32c, Map<String, String> metadata,
                          byte[] content) {
    }

    private final NavigableMap<String, Stored> objects = new ConcurrentSkipListMap<>();
    private final AtomicLong[] requests = new AtomicLong[Kind.values().length];
    private final AtomicLong etags = new AtomicLong();
    private final long partSizeBytes;
    private volatile long byteScale = 1;

    /** @param partSizeBytes {@code s3.part.size.bytes}, unscaled */
    public CountingMemoryBackend(long partSizeBytes) {
        this.partSizeBytes = partSizeBytes;
        for (int i = 0; i < requests.length; i++) {
            requests[i] = new AtomicLong();
        }
    }

    /** How many real bytes one byte of a {@code .log} uploaded from now on stands for. */
    public void byteScale(long scale) {
        this.byteScale = scale;
    }

    /** Requests of each kind so far. */
    public long[] requests() {
        return Arrays.stream(requests).mapToLong(AtomicLong::get).toArray();
    }

    /** The objects stored now: key and logical size (a {@code .log} scaled up by its partition's byte scale). */
    public Map<String, Long> objectSizes() {
        Map<String, Long> sizes = new java.util.TreeMap<>();
        objects.forEach((k, v) -> sizes.put(k, v.logicalSize()));
        return sizes;
    }

    /** Forgets the objects (not the request counts), to free memory between independent partitions. */
    public void clearObjects() {
        objects.clear();
    }

    private void count(Kind kind, long n) {
        requests[kind.ordinal()].addAndGet(n);
    }

    @Override
    public ObjectInfo upload(String key, Path file, String crc32c, Map<String, String> metadata)
            throws StorageException {
        byte[] content;
        long size;
        String actual;
        try {
            size = Files.size(file);
            content = key.endsWith(".json") ? Files.readAllBytes(file) : null;
            actual = crc32cOf(file);
        } catch (IOException e) {
            throw new StorageException("Cannot read " + file + ": " + e, e);
        }
        long logical = key.endsWith(".log") ? size * byteScale : size;
        if (logical > partSizeBytes) {
            long parts = (logical + partSizeBytes - 1) / partSizeBytes;
            count(Kind.POST, 2); // CreateMultipartUpload, CompleteMultipartUpload
            count(Kind.PUT, parts);
        } else {
            count(Kind.PUT, 1);
        }
        if (crc32c != null && !crc32c.equals(actual)) {
            throw new StorageException("BadDigest: " + key + " has CRC32C " + actual + ", expected " + crc32c);
        }
        Stored s = new Stored(size, logical, nextEtag(), actual, metadata, content);
        objects.put(key, s);
        return new ObjectInfo(key, size, s.etag(), metadata, actual);
    }

    private static String crc32cOf(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                crc.update(buf, 0, n);
            }
        }
        return Checksums.hex(crc.getValue());
    }

    private String nextEtag() {
        return Long.toHexString(etags.incrementAndGet());
    }

    @Override
    public ObjectInfo putIfMatch(String key, byte[] content, String expectedEtag) throws StorageException {
        count(Kind.PUT, 1);
        synchronized (objects) {
            Stored now = objects.get(key);
            boolean matches = expectedEtag == null ? now == null : now != null && now.etag().equals(expectedEtag);
            if (!matches) {
                throw new PreconditionFailedException("412 Precondition Failed: " + key);
            }
            CRC32C crc = new CRC32C();
            crc.update(content);
            Stored s = new Stored(content.length, content.length, nextEtag(), Checksums.hex(crc.getValue()), Map.of(),
                    content.clone());
            objects.put(key, s);
            return new ObjectInfo(key, s.size(), s.etag(), Map.of(), s.crc32c());
        }
    }

    @Override
    public boolean atomicConditionalWrites() {
        return true; // AWS S3
    }

    @Override
    public Optional<StoredObject> get(String key) throws StorageException {
        count(Kind.GET, 1);
        Stored s = objects.get(key);
        if (s == null) {
            return Optional.empty();
        }
        if (s.content() == null) {
            throw new StorageException("The simulation keeps no bytes of " + key);
        }
        return Optional.of(new StoredObject(key, s.content().clone(), s.etag()));
    }

    @Override
    public byte[] fetch(String key, long position, int length) throws StorageException {
        count(Kind.GET, 1);
        Stored s = objects.get(key);
        if (s == null) {
            throw new ObjectNotFoundException("memory:" + key + " does not exist", null);
        }
        if (s.content() == null) {
            throw new StorageException("The simulation keeps no bytes of " + key);
        }
        int from = (int) Math.min(position, s.content().length);
        return Arrays.copyOfRange(s.content(), from, (int) Math.min(s.content().length, (long) from + length));
    }

    @Override
    public List<ObjectInfo> list(String prefix, String startAfter, int maxKeys) {
        count(Kind.LIST, 1);
        List<ObjectInfo> page = new ArrayList<>();
        String from = startAfter != null && startAfter.compareTo(prefix) > 0 ? startAfter : prefix;
        for (Map.Entry<String, Stored> e : objects.tailMap(from, !from.equals(startAfter)).entrySet()) {
            if (!e.getKey().startsWith(prefix) || page.size() >= maxKeys) {
                break;
            }
            page.add(new ObjectInfo(e.getKey(), e.getValue().size(), e.getValue().etag(), Map.of()));
        }
        return page;
    }

    @Override
    public List<String> listFolders(String prefix) {
        count(Kind.LIST, 1);
        TreeSet<String> folders = new TreeSet<>();
        for (String key : objects.tailMap(prefix, true).keySet()) {
            if (!key.startsWith(prefix)) {
                break;
            }
            int slash = key.indexOf('/', prefix.length());
            if (slash > 0) {
                folders.add(key.substring(prefix.length(), slash));
            }
        }
        return new ArrayList<>(folders);
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
        count(Kind.HEAD, 1);
        Stored s = objects.get(key);
        return s == null ? Optional.empty()
                : Optional.of(new ObjectInfo(key, s.size(), s.etag(), s.metadata(), s.crc32c()));
    }

    @Override
    public void delete(String key) {
        count(Kind.DELETE, 1);
        objects.remove(key);
    }

    @Override
    public String location() {
        return "mem://scaling-simulation/";
    }

    @Override
    public void close() {
        // shared by every partition's store in the simulation: nothing to release
    }
}
