package io.tieredarchive.tier.remote;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.config.S3ConnectionConfig;
import io.tieredarchive.failure.Backoff;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.remote.RemoteLayout.MarkerName;
import io.tieredarchive.tier.remote.RemoteLayout.SegmentKeys;
import io.tieredarchive.tier.storage.ObjectInfo;
import io.tieredarchive.tier.storage.ObjectNotFoundException;
import io.tieredarchive.tier.storage.ObjectReader.StoredObject;
import io.tieredarchive.tier.storage.PreconditionFailedException;
import io.tieredarchive.tier.storage.S3StorageBackend;
import io.tieredarchive.tier.storage.StorageBackend;
import io.tieredarchive.tier.storage.StorageException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The archive in the object store ({@link RemoteLayout}): uploads sealed segments and verifies them, keeps each
 * partition's {@link SegmentManifest}, and answers which segments a partition holds ({@link PartitionView}).
 *
 * <p>Upload order makes a segment visible only when complete: the {@code .log}, {@code .index} and
 * {@code .timeindex} at once, each proven by the store (its checksum checked against the marker's CRC32C), then the
 * marker, proven the same way ({@link SegmentUploader}). A torn upload (no marker) is invisible to every reader;
 * uploading the segment again repairs it. Registration in the manifest comes after the marker: a compare-and-set
 * ({@code If-Match} on the version read with the content) retried on conflict, merging what other writers
 * registered meanwhile.
 */
public final class RemoteSegmentStore implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(RemoteSegmentStore.class);
    private static final int MAX_MANIFEST_ATTEMPTS = 20;

    private final StorageBackend backend;
    private final RemoteLayout layout;
    private final LongSupplier clock;
    private final String destination;
    /** Incarnation descriptions known to exist. */
    private final java.util.Set<String> described = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final SegmentUploader uploader;

    /** A store whose destination (as markers record it) is its {@link #location()}. */
    public RemoteSegmentStore(StorageBackend backend, String prefix, LongSupplier clock) {
        this(backend, prefix, clock, null);
    }

    private RemoteSegmentStore(StorageBackend backend, String prefix, LongSupplier clock, String destination) {
        this.backend = backend;
        this.layout = new RemoteLayout(prefix);
        this.clock = clock;
        this.destination = destination != null ? destination : backend.location() + layout.prefix();
        this.uploader = new SegmentUploader(backend);
    }

    /** A store on the S3 bucket and prefix of {@code connection}; closing it closes its client. */
    public static RemoteSegmentStore create(S3Connection connection) {
        return new RemoteSegmentStore(S3StorageBackend.create(connection), connection.prefix(),
                System::currentTimeMillis, connection.destination());
    }

    /**
     * Where this store archives, as segment markers record it ({@code destination}): for S3 the bucket, prefix and
     * endpoint ({@link S3Connection#destination()}). Segments sealed for another destination are not uploaded here.
     */
    public String destination() {
        return destination;
    }

    /**
     * A store for answering requests (the REST extension): reads only, one S3 request per call (no SDK multipart),
     * and every call bounded by {@code callTimeout} (retries included), so that a store that does not answer turns
     * into an error within that time instead of a request that never returns.
     */
    public static RemoteSegmentStore forRequests(S3Connection connection, Duration callTimeout) {
        return new RemoteSegmentStore(S3StorageBackend.forRequests(connection, callTimeout), connection.prefix(),
                System::currentTimeMillis, connection.destination());
    }

    /** The S3 connection that connector properties ({@code s3.*} keys) describe; fails naming a bad key. */
    public static S3Connection connectionOf(Map<String, String> props) {
        AbstractConfig config = new AbstractConfig(S3ConnectionConfig.define(new ConfigDef(), ""), props, false);
        return S3ConnectionConfig.parse(config, "");
    }

    public StorageBackend backend() {
        return backend;
    }

    public RemoteLayout layout() {
        return layout;
    }

    /**
     * Uploads the sealed local segment {@code files} (whose marker is {@code meta}) and has the store prove every
     * object, the marker last. Checks the local files against the marker first, so a file damaged on disk is never
     * archived. Idempotent: a retry does not send again what the store already proved, which is how a torn upload
     * is repaired ({@link SegmentUploader}).
     *
     * @return the bytes sent
     * @throws CorruptSegmentException when a local file does not match its marker
     */
    public long upload(SegmentFiles files, SegmentMetadata meta) throws SegmentException {
        SegmentKeys keys = layout.keys(meta);
        long sent = uploader.upload(files, meta, keys);
        log.debug("Segment {} of {}-{} is in {} ({} bytes sent)", meta.baseOffset(), meta.topic(), meta.partition(),
                backend.location() + keys.marker(), sent);
        return sent;
    }

    /**
     * True when the marker and the three files of the local segment {@code files} are all in the store with the
     * sizes of the local marker (one LIST; their bytes were proven at upload). Called before a local copy is
     * deleted.
     */
    public boolean isVerified(SegmentFiles files, SegmentMetadata meta) throws SegmentException {
        return uploader.isVerified(files, meta, layout.keys(meta));
    }

    /**
     * Adds {@code segments} (uploaded and verified) to their partition's manifest, with the markers uploaded
     * after the manifest's {@code listedThrough}. Compare-and-set, retried when another writer got there first.
     */
    public SegmentManifest register(ArchivePartition p, Collection<SegmentMetadata> segments)
            throws SegmentException {
        for (SegmentMetadata m : segments) {
            if (!p.holds(m)) {
                throw new IllegalArgumentException("Segment " + m.baseOffset() + " of " + ArchivePartition.of(m)
                        + " is not a segment of " + p);
            }
        }
        String key = layout.manifestKey(p);
        Map<String, SegmentMetadata> ours = new HashMap<>();
        segments.forEach(s -> ours.put(RemoteLayout.markerName(s), s));
        for (int attempt = 1; attempt <= MAX_MANIFEST_ATTEMPTS; attempt++) {
            // The content and the version it is come from one GET: a version read apart could be a newer write's.
            Optional<StoredObject> current = backend.get(key);
            SegmentManifest base = current.isEmpty() ? SegmentManifest.empty(p)
                    : parseOrEmpty(current.get().content(), key, p);
            Tail tail = listAfter(p, base.listedThrough(), ours);
            SegmentManifest next = base.merge(tail.markers(), tail.lastName(), clock.getAsLong())
                    .merge(segments, maxName(segments), clock.getAsLong());
            try {
                backend.putIfMatch(key, next.toBytes(), current.map(StoredObject::etag).orElse(null));
            } catch (PreconditionFailedException lost) {
                log.debug("Manifest {} changed under us (attempt {}), merging again", key, attempt);
                backOff(attempt);
                continue;
            }
            if (backend.atomicConditionalWrites()) {
                return next;
            }
            // A store whose conditional writes are not atomic may still lose an update: read it back.
            Optional<SegmentManifest> stored = readManifest(key);
            if (stored.isPresent() && segments.stream().allMatch(stored.get()::contains)) {
                return stored.get();
            }
            log.debug("Manifest {} lost our update (attempt {}), merging again", key, attempt);
        }
        throw new StorageException("Could not update " + backend.location() + key + " after "
                + MAX_MANIFEST_ATTEMPTS + " attempts: too many writers at once");
    }

    /**
     * Writes the description of an incarnation unless one exists ({@code If-None-Match: *}): the first writer's
     * creation time stands. The tier calls it before it uploads an incarnation's first segment; once it succeeded
     * for an incarnation, this store does not ask again.
     */
    public void describeIncarnation(String topic, Incarnation incarnation) throws StorageException {
        String key = layout.incarnationKey(topic, incarnation);
        if (described.contains(key)) {
            return;
        }
        if (backend.head(key).isEmpty()) {
            try {
                backend.putIfMatch(key, IncarnationInfo.of(topic, incarnation, clock.getAsLong()).toBytes(), null);
                log.info("Archiving a new incarnation of {}: {} ({})", topic, incarnation, backend.location() + key);
            } catch (PreconditionFailedException written) {
                log.debug("{} was described by another writer meanwhile", backend.location() + key);
            }
        }
        described.add(key);
    }

    /** What the archive holds: topics, incarnations and partitions. */
    public ArchiveCatalog catalog() {
        return new ArchiveCatalog(backend, layout);
    }

    /** Where this store keeps the archive, for messages: the bucket (or folder) and the prefix. */
    public String location() {
        return backend.location() + layout.rootPrefix();
    }

    /** Rewrites the manifest of a partition from its markers alone (every marker is read once). */
    public SegmentManifest rebuildManifest(ArchivePartition p) throws SegmentException {
        String key = layout.manifestKey(p);
        for (int attempt = 1; attempt <= MAX_MANIFEST_ATTEMPTS; attempt++) {
            Optional<ObjectInfo> head = backend.head(key);
            Tail all = listAfter(p, null);
            SegmentManifest rebuilt = SegmentManifest.empty(p).merge(all.markers(), all.lastName(),
                    clock.getAsLong());
            try {
                backend.putIfMatch(key, rebuilt.toBytes(), head.map(ObjectInfo::etag).orElse(null));
                log.info("Rebuilt {} from {} markers", backend.location() + key, rebuilt.segments().size());
                return rebuilt;
            } catch (PreconditionFailedException lost) {
                backOff(attempt);
            }
        }
        throw new StorageException("Could not rewrite " + backend.location() + key + ": it keeps changing");
    }

    /** The partition as a reader sees it now: one GET of the manifest and one LIST of the markers after it. */
    public PartitionView view(ArchivePartition p) throws SegmentException {
        SegmentManifest manifest = manifestOrEmpty(layout.manifestKey(p), p);
        if (manifest == null) {
            manifest = SegmentManifest.empty(p);
        }
        Tail tail = listAfter(p, manifest.listedThrough());
        List<SegmentMetadata> all = new ArrayList<>(manifest.segments());
        all.addAll(tail.markers());
        return new PartitionView(p, all, (from, to) -> markersBetween(p, from, to));
    }

    /** The partition's manifest as {@link #view} reads it: an empty one when it has none or it is unreadable. */
    SegmentManifest manifestOf(ArchivePartition p) throws SegmentException {
        SegmentManifest manifest = manifestOrEmpty(layout.manifestKey(p), p);
        return manifest != null ? manifest : SegmentManifest.empty(p);
    }

    /** The partition's manifest, or empty when it has none. */
    public Optional<SegmentManifest> readManifest(ArchivePartition p) throws SegmentException {
        return readManifest(layout.manifestKey(p));
    }

    private Optional<SegmentManifest> readManifest(String key) throws SegmentException {
        try {
            return Optional.of(SegmentManifest.fromBytes(backend.fetchAll(key), backend.location() + key));
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * The manifest at {@code key}; null when there is none; an empty one (so that every marker is listed) when it
     * cannot be read: it is only an accelerator, and the next registration rewrites it.
     */
    private SegmentManifest manifestOrEmpty(String key, ArchivePartition p) throws SegmentException {
        byte[] bytes;
        try {
            bytes = backend.fetchAll(key);
        } catch (ObjectNotFoundException e) {
            return null;
        }
        return parseOrEmpty(bytes, key, p);
    }

    /** The manifest in {@code bytes}, checked to be the partition's; an empty one when it is not readable. */
    private SegmentManifest parseOrEmpty(byte[] bytes, String key, ArchivePartition p) throws SegmentException {
        try {
            SegmentManifest manifest = SegmentManifest.fromBytes(bytes, backend.location() + key);
            if (!manifest.archivePartition().equals(p) || !manifest.segments().stream().allMatch(p::holds)) {
                throw new CorruptSegmentException(backend.location() + key, -1, "the manifest lists segments of "
                        + "another partition or incarnation than " + p);
            }
            return manifest;
        } catch (CorruptSegmentException e) {
            log.warn("Ignoring the unreadable manifest {}; listing every marker instead: {}", backend.location() + key,
                    e.getMessage());
            return SegmentManifest.empty(p);
        }
    }

    /**
     * Reads the marker {@code name} of a partition. A marker that describes another segment than the one its key
     * names (another topic, partition, base offset or writer: copied or moved by hand) is refused, because readers
     * find the segment's files from the marker's fields: it would serve another partition's records, or, with a
     * topic such as {@code ../x}, name files outside the partition's folder and the restore cache.
     */
    public SegmentMetadata readMarker(ArchivePartition p, String name) throws SegmentException {
        String key = layout.partitionPrefix(p) + name;
        SegmentMetadata meta = SegmentMetadata.fromBytes(backend.fetchAll(key), backend.location() + key);
        if (!p.holds(meta) || !RemoteLayout.markerName(meta).equals(name)) {
            throw new CorruptSegmentException(backend.location() + key, -1, "the marker describes segment "
                    + RemoteLayout.markerName(meta) + " of " + ArchivePartition.of(meta)
                    + ", not the one its key names (" + name + " of " + p + ")");
        }
        return meta;
    }

    private List<SegmentMetadata> markersBetween(ArchivePartition p, long fromBase, long toBase)
            throws SegmentException {
        String prefix = layout.partitionPrefix(p);
        String after = prefix + SegmentFiles.baseName(fromBase);
        String before = toBase < 0 ? null : prefix + SegmentFiles.baseName(toBase);
        List<SegmentMetadata> found = new ArrayList<>();
        for (ObjectInfo info : backend.listBetween(prefix, after, before)) {
            String name = info.key().substring(prefix.length());
            if (RemoteLayout.parseMarkerName(name).isPresent()) {
                found.add(readMarker(p, name));
            }
        }
        return found;
    }

    /** The markers named after {@code afterName} (all when null), read, and the greatest name seen. */
    private Tail listAfter(ArchivePartition p, String afterName) throws SegmentException {
        return listAfter(p, afterName, Map.of());
    }

    /** The same; the markers in {@code known} (by name) are taken from there, not read again. */
    private Tail listAfter(ArchivePartition p, String afterName, Map<String, SegmentMetadata> known)
            throws SegmentException {
        String prefix = layout.partitionPrefix(p);
        List<SegmentMetadata> markers = new ArrayList<>();
        String last = afterName;
        for (ObjectInfo info : backend.listAll(prefix, afterName == null ? null : prefix + afterName)) {
            String name = info.key().substring(prefix.length());
            Optional<MarkerName> marker = RemoteLayout.parseMarkerName(name);
            if (marker.isPresent()) {
                SegmentMetadata ours = known.get(name);
                markers.add(ours != null ? ours : readMarker(p, name));
                last = name;
            }
        }
        return new Tail(markers, last);
    }

    private record Tail(List<SegmentMetadata> markers, String lastName) {
    }

    private static String maxName(Collection<SegmentMetadata> segments) {
        return segments.stream().map(RemoteLayout::markerName).max(String::compareTo).orElse(null);
    }

    /** Waits before merging again after losing a compare-and-set ({@link Backoff#MANIFEST_CONFLICT}). */
    private static void backOff(int attempt) throws StorageException {
        try {
            Backoff.MANIFEST_CONFLICT.sleep(attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("Interrupted while updating a manifest", e);
        }
    }

    @Override
    public void close() {
        uploader.close();
        backend.close();
    }
}
