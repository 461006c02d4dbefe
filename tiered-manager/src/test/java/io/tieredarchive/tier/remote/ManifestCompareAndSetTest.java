package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.ForwardingBackend;
import io.tieredarchive.tier.TestArchive;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import io.tieredarchive.tier.storage.ObjectInfo;
import io.tieredarchive.tier.storage.StorageBackend;
import io.tieredarchive.tier.storage.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static io.tieredarchive.tier.TestArchive.T0;
import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manifest's compare-and-set takes the version it writes against from the same read as the content it merges
 * into. A writer that registers between two separate reads (a HEAD for the ETag, a GET for the content) on a store
 * where its write reaches the HEAD before the GET, as {@link FileSystemStorageBackend} shows between renaming an
 * object's metadata and its content, must not lose its entry.
 */
class ManifestCompareAndSetTest {

    @TempDir
    Path tempDir;

    @Test
    void aWriterInterleavedBetweenReadingTheVersionAndTheContentLosesNothing() throws Exception {
        FileSystemStorageBackend fs = new FileSystemStorageBackend(tempDir.resolve("bucket"));
        RemoteSegmentStore other = new RemoteSegmentStore(fs, "p", () -> T0);
        SegmentMetadata first = uploaded(other, 300, "a");
        other.register(TestArchive.partition(TOPIC, 0), List.of(first));            // lists through 300: the tail starts after it
        SegmentMetadata theirs = uploaded(other, 100, "b");  // a late writer (a zombie) of older offsets
        SegmentMetadata ours = uploaded(other, 400, "a");

        String manifestKey = other.layout().manifestKey(TestArchive.partition(TOPIC, 0));
        InterleavingBackend interleaving = new InterleavingBackend(fs, manifestKey,
                () -> other.register(TestArchive.partition(TOPIC, 0), List.of(theirs)));
        new RemoteSegmentStore(interleaving, "p", () -> T0 + 1).register(TestArchive.partition(TOPIC, 0), List.of(ours));

        assertTrue(interleaving.interleaved, "the other writer registered in between");
        SegmentManifest manifest = other.readManifest(TestArchive.partition(TOPIC, 0)).orElseThrow();
        assertTrue(manifest.contains(ours), "our entry");
        assertTrue(manifest.contains(theirs), "the interleaved writer's entry survives: " + manifest.segments());
    }

    private SegmentMetadata uploaded(RemoteSegmentStore store, long base, String writer) throws Exception {
        SegmentFiles files = TestArchive.seal(tempDir.resolve(writer), TOPIC, 0, base, 10, writer, T0);
        SegmentMetadata meta = TestArchive.meta(files);
        store.upload(files, meta);
        return meta;
    }

    /** Something that can fail the way a registration does. */
    @FunctionalInterface
    interface Write {
        void run() throws Exception;
    }

    /**
     * Lets another writer register right after the first read of the manifest (a HEAD, or a GET of content and
     * version); a separate content read that follows a HEAD still sees the manifest as it was before that write
     * (the write has reached the object's metadata, not yet its content).
     */
    private static final class InterleavingBackend extends ForwardingBackend {
        private final String manifestKey;
        private final Write write;
        boolean interleaved;
        private byte[] before;
        private byte[] staleForNextFetch;

        InterleavingBackend(StorageBackend delegate, String manifestKey, Write write) {
            super(delegate);
            this.manifestKey = manifestKey;
            this.write = write;
        }

        /** Runs the other writer once, remembering the content it replaces. */
        private void interleave(String key) throws StorageException {
            if (key.equals(manifestKey) && !interleaved) {
                interleaved = true;
                before = delegate.fetchAll(key);
                try {
                    write.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public Optional<ObjectInfo> head(String key) throws StorageException {
            boolean first = key.equals(manifestKey) && !interleaved;
            interleave(key);
            if (first) {
                staleForNextFetch = before;
            }
            return delegate.head(key);
        }

        @Override
        public byte[] fetch(String key, long position, int length) throws StorageException {
            if (key.equals(manifestKey) && staleForNextFetch != null) {
                byte[] stale = staleForNextFetch;
                staleForNextFetch = null;
                return stale;
            }
            return delegate.fetch(key, position, length);
        }

        @Override
        public Optional<StoredObject> get(String key) throws StorageException {
            Optional<StoredObject> read = delegate.get(key);
            interleave(key);
            return read;
        }
    }
}
