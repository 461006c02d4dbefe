package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.segment.SegmentMetadata.FileInfo;
import io.tieredarchive.tier.remote.RemoteLayout.SegmentKeys;
import io.tieredarchive.tier.storage.Checksums;
import io.tieredarchive.tier.storage.ObjectInfo;
import io.tieredarchive.tier.storage.StorageBackend;
import io.tieredarchive.tier.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * Puts the four objects of a sealed segment in the store and proves every byte of them, in as few requests as the
 * store allows:
 * <ol>
 *   <li>The local {@code .log}, {@code .index} and {@code .timeindex} are checked against the marker (size and
 *       CRC32C), so a file damaged on disk is never archived.</li>
 *   <li>The three go up at once, each with its CRC32C for the store to check ({@link StorageBackend#upload}). The
 *       store's answer is the proof: an echoed checksum or a matching ETag. Only an upload the store did not vouch
 *       for costs more: a HEAD (a store may report its checksum there), else reading the object back.</li>
 *   <li>The marker goes up last, only after all three are proven, and is proven the same way.</li>
 * </ol>
 * A first attempt sends everything without looking first. A segment whose earlier attempt failed is a retry: the
 * objects the store already vouched for in that attempt are not sent again, and each other object is looked at
 * (HEAD) first, since the attempt may have stored it before failing; one found with the store's own checksum equal
 * to the marker's is kept. After a restart nothing is remembered, and a segment in flight then is sent again whole
 * (objects are immutable: the same key gets the same bytes).
 *
 * <p>Before a local copy is deleted, {@link #isVerified} lists the segment's objects (one LIST request) and checks
 * that all four are there with the marker's sizes: their bytes were proven at upload, and no object is ever
 * rewritten with other bytes (keys carry the writer).
 */
final class SegmentUploader implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(SegmentUploader.class);
    /** Segments remembered as unfinished at most; one forgotten is sent again whole, which is safe. */
    private static final int MAX_UNFINISHED = 10_000;
    private static final int READ_BACK_CHUNK_BYTES = 8 << 20;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final StorageBackend backend;
    /** Uploads the two index files beside the {@code .log}, which the calling thread uploads itself. */
    private final ExecutorService indexUploads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tiered-archive-index-upload-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    /** By marker key: the keys the store vouched for in an attempt that did not finish. */
    private final Map<String, Set<String>> unfinished = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
                    return size() > MAX_UNFINISHED;
                }
            });
    private final AtomicBoolean warnedReadBack = new AtomicBoolean();

    SegmentUploader(StorageBackend backend) {
        this.backend = backend;
    }

    /**
     * Uploads the segment {@code files} (marker {@code meta}) to {@code keys}, marker last.
     *
     * @return the bytes sent (0 when a retry found everything in place)
     * @throws CorruptSegmentException when a local file does not match its marker
     */
    long upload(SegmentFiles files, SegmentMetadata meta, SegmentKeys keys) throws SegmentException {
        checkLocal(files.log(), meta.log());
        checkLocal(files.offsetIndex(), meta.offsetIndex());
        checkLocal(files.timeIndex(), meta.timeIndex());
        FileInfo marker = localInfo(files.marker());
        Set<String> confirmed = unfinished.get(keys.marker());
        boolean retry = confirmed != null;
        if (!retry) {
            confirmed = ConcurrentHashMap.newKeySet();
            unfinished.put(keys.marker(), confirmed);
        }
        Attempt attempt = new Attempt(retry, confirmed);
        long sent = uploadDataFiles(files, meta, keys, attempt);
        sent += attempt.uploadVerified(keys.marker(), files.marker(), marker);
        unfinished.remove(keys.marker());
        return sent;
    }

    private long uploadDataFiles(SegmentFiles files, SegmentMetadata meta, SegmentKeys keys, Attempt attempt)
            throws SegmentException {
        List<Future<Long>> beside = List.of(
                indexUploads.submit(() -> attempt.uploadVerified(keys.offsetIndex(), files.offsetIndex(),
                        meta.offsetIndex())),
                indexUploads.submit(() -> attempt.uploadVerified(keys.timeIndex(), files.timeIndex(),
                        meta.timeIndex())));
        long sent = 0;
        SegmentException failure = null;
        try {
            sent += attempt.uploadVerified(keys.log(), files.log(), meta.log());
        } catch (SegmentException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = new StorageException("Upload for " + keys.marker() + " failed: " + e, e);
        }
        for (Future<Long> f : beside) {
            try {
                sent += f.get();
            } catch (InterruptedException e) {
                beside.forEach(other -> other.cancel(true));
                Thread.currentThread().interrupt();
                throw new StorageException("Interrupted while uploading segment " + keys.marker(), e);
            } catch (ExecutionException e) {
                SegmentException cause = e.getCause() instanceof SegmentException s ? s
                        : new StorageException("Upload for " + keys.marker() + " failed: " + e.getCause(),
                        e.getCause());
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return sent;
    }

    /** One attempt at a segment: whether it retries an earlier one, and the keys the store vouched for so far. */
    private final class Attempt {
        private final boolean retry;
        private final Set<String> confirmed;

        Attempt(boolean retry, Set<String> confirmed) {
            this.retry = retry;
            this.confirmed = confirmed;
        }

        long uploadVerified(String key, Path file, FileInfo expected) throws StorageException {
            if (confirmed.contains(key)) {
                return 0;
            }
            if (retry) {
                Optional<ObjectInfo> inPlace = backend.head(key);
                if (inPlace.isPresent() && inPlace.get().confirms(expected.size(), expected.crc32c())) {
                    confirmed.add(key);
                    return 0;
                }
            }
            ObjectInfo stored = backend.upload(key, file, expected.crc32c(),
                    Map.of(ObjectInfo.CRC32C, expected.crc32c()));
            if (!stored.confirms(expected.size(), expected.crc32c())) {
                verifyUnconfirmed(key, file, expected);
            }
            confirmed.add(key);
            return expected.size();
        }
    }

    /**
     * Proves an upload the store did not vouch for: by the checksum a HEAD reports, else by reading the object
     * back and checking its size and CRC32C.
     */
    private void verifyUnconfirmed(String key, Path file, FileInfo expected) throws StorageException {
        Optional<ObjectInfo> head = backend.head(key);
        if (head.isPresent() && head.get().confirms(expected.size(), expected.crc32c())) {
            return;
        }
        if (warnedReadBack.compareAndSet(false, true)) {
            log.warn("{} does not vouch for the checksums of uploads (no checksum in its answers, no MD5 ETag); each "
                    + "such upload is read back to verify it, which doubles its transfer", backend.location());
        }
        FileInfo stored = head.isEmpty() ? null : readBack(key);
        if (!expected.equals(stored)) {
            throw new StorageException("Upload of " + file + " to " + backend.location() + key + " did not verify: "
                    + "expected " + expected.size() + " bytes with CRC32C " + expected.crc32c() + ", the store has "
                    + (stored == null ? "no object" : stored.size() + " bytes with CRC32C " + stored.crc32c()));
        }
    }

    private FileInfo readBack(String key) throws StorageException {
        CRC32C crc = new CRC32C();
        long size = 0;
        byte[] chunk;
        do {
            chunk = backend.fetch(key, size, READ_BACK_CHUNK_BYTES);
            crc.update(chunk);
            size += chunk.length;
        } while (chunk.length == READ_BACK_CHUNK_BYTES);
        return new FileInfo(size, Checksums.hex(crc.getValue()));
    }

    /**
     * True when the four objects of the local segment {@code files} are in the store with the sizes of the local
     * marker: one LIST of the keys the four share. A segment found incomplete counts as a retry on its next upload.
     */
    boolean isVerified(SegmentFiles files, SegmentMetadata meta, SegmentKeys keys) throws SegmentException {
        Map<String, Long> expected = Map.of(keys.log(), meta.log().size(), keys.offsetIndex(),
                meta.offsetIndex().size(), keys.timeIndex(), meta.timeIndex().size(), keys.marker(),
                localInfo(files.marker()).size());
        Map<String, Long> found = new ConcurrentHashMap<>();
        for (ObjectInfo info : backend.listAll(commonPrefix(List.copyOf(expected.keySet())), null)) {
            if (expected.containsKey(info.key())) {
                found.put(info.key(), info.size());
            }
        }
        boolean complete = found.equals(expected);
        if (!complete) {
            unfinished.putIfAbsent(keys.marker(), ConcurrentHashMap.newKeySet());
        }
        return complete;
    }

    private static String commonPrefix(List<String> keys) {
        String prefix = keys.get(0);
        for (String key : keys) {
            int n = 0;
            while (n < prefix.length() && n < key.length() && prefix.charAt(n) == key.charAt(n)) {
                n++;
            }
            prefix = prefix.substring(0, n);
        }
        return prefix;
    }

    private static void checkLocal(Path file, FileInfo expected) throws SegmentException {
        FileInfo actual = localInfo(file);
        if (!actual.equals(expected)) {
            throw new CorruptSegmentException(file.toString(), -1, "size " + actual.size() + " and CRC32C "
                    + actual.crc32c() + " differ from the marker's " + expected.size() + " and " + expected.crc32c()
                    + "; not uploaded");
        }
    }

    private static FileInfo localInfo(Path file) throws SegmentException {
        try {
            return FileInfo.of(file);
        } catch (IOException e) {
            throw new SegmentException("Cannot read " + file + " to upload it: " + e, e);
        }
    }

    @Override
    public void close() {
        indexUploads.shutdownNow();
    }
}
