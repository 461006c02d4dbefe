package io.tieredarchive.tier.storage;

import io.tieredarchive.failure.FailureKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * A directory used as a bucket: the object {@code a/b/c} is the file {@code <root>/a/b/c}. For tests, for the CLI
 * against a copied bucket, and for users who tier to a mounted network file system.
 *
 * <p>Layout: beside the objects, {@code <root>/.tiered-archive-metadata/} holds one Java properties file per
 * object, {@code <key>.properties}, with {@code size}, {@code etag} (hex MD5 of the content, like a single-part S3
 * ETag), {@code crc32c} (hex CRC32C of the content as this backend wrote it) and {@code meta.<name>} for each user
 * metadata entry; {@code tmp/} holds files being written, which are fsynced and then renamed into place, so an
 * object is either absent or complete. An upload computes the CRC32C of the bytes it writes and refuses the object
 * when it is not the one the caller expects; {@link #get} derives the etag from the bytes it read, so the two always
 * belong together (the metadata file is renamed into place before the content). Keys whose first segment is
 * {@code .tiered-archive-metadata} are refused. Conditional writes hold a JVM lock and an OS file lock on
 * {@code .tiered-archive-metadata/.lock}, so they are atomic across processes on one host.
 *
 * <p>The directory plays the bucket: it is created with the backend, and once it is gone (a mount that went away,
 * a folder deleted) every operation fails with {@link FailureKind#BUCKET_MISSING}, never with "no such object".
 */
public final class FileSystemStorageBackend implements StorageBackend {

    private static final Logger log = LoggerFactory.getLogger(FileSystemStorageBackend.class);
    private static final String META_DIR = ".tiered-archive-metadata";
    private static final String META_PREFIX = "meta.";
    private static final String CRC32C_PROPERTY = "crc32c";
    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private final Path root;
    private final Path metaRoot;
    private final Path tmpDir;

    public FileSystemStorageBackend(Path root) {
        try {
            this.root = Files.createDirectories(root).toRealPath();
            this.metaRoot = Files.createDirectories(this.root.resolve(META_DIR));
            this.tmpDir = Files.createDirectories(metaRoot.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the storage directory " + root, e);
        }
        log.info("File system storage backend at {}", this.root);
    }

    @Override
    public String location() {
        return root.toUri().toString();
    }

    @Override
    public ObjectInfo upload(String key, Path file, String crc32c, Map<String, String> metadata)
            throws StorageException {
        Path target = objectPath(key);
        Path tmp = tmpDir.resolve(UUID.randomUUID().toString());
        try {
            MessageDigest md5 = Checksums.md5();
            CRC32C crc = new CRC32C();
            try (InputStream in = Files.newInputStream(file);
                 OutputStream out = new CheckedOutputStream(new DigestOutputStream(Files.newOutputStream(tmp), md5),
                         crc)) {
                in.transferTo(out);
            }
            String written = Checksums.hex(crc.getValue());
            if (!written.equals(crc32c)) {
                throw new StorageException("Refusing to store " + file + " as " + describe(key) + ": its bytes have "
                        + "CRC32C " + written + ", not the " + crc32c + " expected");
            }
            return install(key, target, tmp, HexFormat.of().formatHex(md5.digest()), written, metadata);
        } catch (NoSuchFileException e) {
            throw new StorageException("Cannot upload " + file + " to " + describe(key) + ": the file does not exist",
                    e);
        } catch (IOException e) {
            throw new StorageException("Cannot upload " + file + " to " + describe(key) + ": " + e, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    @SuppressWarnings("try") // the FileLock is a resource for its scope only: held by the try, never read in it
    public ObjectInfo putIfMatch(String key, byte[] content, String expectedEtag) throws StorageException {
        Path target = objectPath(key);
        ReentrantLock jvmLock = LOCKS.computeIfAbsent(root, r -> new ReentrantLock());
        jvmLock.lock();
        try (FileChannel lockChannel = FileChannel.open(metaRoot.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock ignored = lockChannel.lock()) {
            Optional<String> current = get(key).map(StoredObject::etag);
            if (expectedEtag == null && current.isPresent()) {
                throw new PreconditionFailedException(describe(key) + " already exists");
            }
            if (expectedEtag != null && (current.isEmpty() || !current.get().equals(expectedEtag))) {
                throw new PreconditionFailedException(describe(key) + " changed: expected etag " + expectedEtag
                        + ", found " + current.orElse("no object"));
            }
            Path tmp = tmpDir.resolve(UUID.randomUUID().toString());
            try {
                Files.write(tmp, content);
                CRC32C crc = new CRC32C();
                crc.update(content);
                return install(key, target, tmp, HexFormat.of().formatHex(Checksums.md5().digest(content)),
                        Checksums.hex(crc.getValue()), Map.of());
            } finally {
                deleteQuietly(tmp);
            }
        } catch (IOException e) {
            throw new StorageException("Cannot write " + describe(key) + ": " + e, e);
        } finally {
            jvmLock.unlock();
        }
    }

    /**
     * True: a conditional write checks and writes holding a JVM lock and an OS file lock. Across hosts (a network
     * file system) that holds where the file system honours POSIX locks (NFSv4 does).
     */
    @Override
    public boolean atomicConditionalWrites() {
        return true;
    }

    /** fsyncs {@code tmp}, writes the metadata file, then renames {@code tmp} to the object's path. */
    private ObjectInfo install(String key, Path target, Path tmp, String etag, String crc32c,
                               Map<String, String> metadata) throws IOException {
        fsync(tmp);
        long size = Files.size(tmp);
        Properties props = new Properties();
        props.setProperty("size", Long.toString(size));
        props.setProperty("etag", etag);
        props.setProperty(CRC32C_PROPERTY, crc32c);
        metadata.forEach((k, v) -> props.setProperty(META_PREFIX + k, v));
        Path metaTmp = tmpDir.resolve(UUID.randomUUID() + ".properties");
        try (OutputStream out = Files.newOutputStream(metaTmp)) {
            props.store(out, null);
        }
        fsync(metaTmp);
        Path metaFile = metaPath(key);
        Files.createDirectories(metaFile.getParent());
        move(metaTmp, metaFile);
        Files.createDirectories(target.getParent());
        move(tmp, target);
        fsync(target.getParent());
        return new ObjectInfo(key, size, etag, metadata, crc32c);
    }

    /**
     * The content, and as its etag the MD5 of exactly the bytes read (as {@link #upload} and {@link #putIfMatch}
     * set it).
     */
    @Override
    public Optional<StoredObject> get(String key) throws StorageException {
        Path path = objectPath(key);
        try {
            byte[] content = Files.readAllBytes(path);
            return Optional.of(new StoredObject(key, content, HexFormat.of().formatHex(Checksums.md5()
                    .digest(content))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("Cannot read " + describe(key) + ": " + e, e);
        }
    }

    @Override
    public byte[] fetch(String key, long position, int length) throws StorageException {
        Path path = objectPath(key);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long available = Math.max(0, ch.size() - position);
            int n = (int) (length < 0 ? Math.min(available, Integer.MAX_VALUE - 8) : Math.min(available, length));
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining()) {
                if (ch.read(buf, position + buf.position()) < 0) {
                    break;
                }
            }
            return buf.position() == n ? buf.array() : java.util.Arrays.copyOf(buf.array(), buf.position());
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(describe(key) + " does not exist", e);
        } catch (IOException e) {
            throw new StorageException("Cannot read " + describe(key) + " at " + position + ": " + e, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix, String startAfter, int maxKeys) throws StorageException {
        checkRoot();
        int slash = prefix.lastIndexOf('/');
        Path dir = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        TreeMap<String, Path> keys = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(p -> !p.startsWith(metaRoot) && Files.isRegularFile(p)).forEach(p -> {
                String key = keyOf(p);
                if (key.startsWith(prefix) && (startAfter == null || key.compareTo(startAfter) > 0)) {
                    keys.put(key, p);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new StorageException("Cannot list " + describe(prefix) + ": " + e, e);
        }
        List<ObjectInfo> page = new ArrayList<>();
        for (Map.Entry<String, Path> e : keys.entrySet()) {
            if (page.size() == maxKeys) {
                break;
            }
            head(e.getKey()).ifPresent(info -> page.add(new ObjectInfo(info.key(), info.size(), info.etag(),
                    Map.of())));
        }
        return page;
    }

    @Override
    public List<String> listFolders(String prefix) throws StorageException {
        checkRoot();
        Path dir = prefix.isEmpty() ? root : root.resolve(prefix);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> Files.isDirectory(p) && !p.equals(metaRoot) && hasObject(p))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw new StorageException("Cannot list folders of " + describe(prefix) + ": " + e, e);
        }
    }

    /** True when {@code dir} holds at least one object (directories emptied by deletes do not count). */
    private static boolean hasObject(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.anyMatch(Files::isRegularFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws StorageException {
        Path path = objectPath(key);
        if (!Files.isRegularFile(path)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(metaPath(key))) {
            props.load(in);
        } catch (NoSuchFileException e) {
            // Written by someone else than this backend: no metadata, etag from the content.
            return Optional.of(new ObjectInfo(key, sizeOf(path, key), null, Map.of()));
        } catch (IOException e) {
            throw new StorageException("Cannot read the metadata of " + describe(key) + ": " + e, e);
        }
        Map<String, String> metadata = new TreeMap<>();
        for (String name : props.stringPropertyNames()) {
            if (name.startsWith(META_PREFIX)) {
                metadata.put(name.substring(META_PREFIX.length()), props.getProperty(name));
            }
        }
        return Optional.of(new ObjectInfo(key, sizeOf(path, key), props.getProperty("etag"), metadata,
                props.getProperty(CRC32C_PROPERTY)));
    }

    @Override
    public void delete(String key) throws StorageException {
        try {
            Files.deleteIfExists(objectPath(key));
            Files.deleteIfExists(metaPath(key));
        } catch (IOException e) {
            throw new StorageException("Cannot delete " + describe(key) + ": " + e, e);
        }
    }

    @Override
    public void close() {
        // Nothing held open.
    }

    private long sizeOf(Path path, String key) throws StorageException {
        try {
            return Files.size(path);
        } catch (IOException e) {
            throw new StorageException("Cannot read the size of " + describe(key) + ": " + e, e);
        }
    }

    private Path objectPath(String key) throws StorageException {
        checkRoot();
        if (key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.contains("\\")) {
            throw new StorageException(FailureKind.FATAL, "Invalid object key '" + key + "' for " + location());
        }
        for (String part : key.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new StorageException(FailureKind.FATAL, "Invalid object key '" + key + "' for " + location());
            }
        }
        if (key.equals(META_DIR) || key.startsWith(META_DIR + "/")) {
            throw new StorageException(FailureKind.FATAL, "Object key '" + key + "' is reserved in " + location());
        }
        return root.resolve(key);
    }

    /** The folder that plays the bucket must still be there. */
    private void checkRoot() throws StorageException {
        if (!Files.isDirectory(root)) {
            throw new StorageException(FailureKind.BUCKET_MISSING, "The folder " + root + " of the file-system store "
                    + location() + " does not exist (it plays the bucket)");
        }
    }

    private Path metaPath(String key) {
        return metaRoot.resolve(key + ".properties");
    }

    private String keyOf(Path file) {
        return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }

    private String describe(String key) {
        return location() + key;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void fsync(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!Files.isDirectory(path)) {
                throw e;
            }
            // Some platforms cannot fsync a directory; the rename is still atomic.
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("Could not delete the temporary file {}", path, e);
        }
    }
}
