package io.tieredarchive.tier.read;

import io.tieredarchive.config.TopicNames;

import org.apache.kafka.common.errors.InvalidTopicException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collection;
import java.util.regex.Pattern;

/**
 * The directory under which a caller that is not the worker's operator (the REST extension) may restore segments.
 * {@link #target} turns the directory a request names into a {@link RestoreTarget} under the root, or refuses it:
 * <ul>
 *   <li>a relative name is taken under the root; an absolute one must lie under it;</li>
 *   <li>no {@code ..} element, wherever it would lead;</li>
 *   <li>every part that exists is followed to its real path, which must stay under the root's real path: a symbolic
 *       link that leaves the root, or that leads nowhere, is refused;</li>
 *   <li>the {@code <topic>-<partition>} directory must not be in, or hold, a directory given as in use (the
 *       {@code local.dir} of a tiering service), compared by real paths;</li>
 *   <li>it must not hold segment files already ({@link RestorePathException#conflict()}): a restore never
 *       replaces a file.</li>
 * </ul>
 * Nothing is created here; {@link RestoreTarget#prepare} creates what is missing, again without following a link.
 */
public final class RestoreRoot {

    private static final Pattern SEGMENT_FILE = Pattern.compile("\\d{20}\\.(log|index|timeindex|json)");

    private final Path root;

    private RestoreRoot(Path root) {
        this.root = root;
    }

    /** The root at the absolute path {@code root}, created if missing. */
    public static RestoreRoot of(Path root) throws IOException {
        if (!root.isAbsolute()) {
            throw new IllegalArgumentException("The restore root must be an absolute path, got '" + root + "'");
        }
        Path normalized = root.normalize();
        Files.createDirectories(normalized);
        return new RestoreRoot(normalized);
    }

    /** The root as configured (absolute, normalized). */
    public Path path() {
        return root;
    }

    /**
     * Where a restore of {@code topic}-{@code partition} into {@code requested} (relative to the root, or absolute
     * under it; null or blank: the root itself) writes: {@code <requested>/<topic>-<partition>}, as a real path.
     *
     * @param inUse directories no restore may write into or around (absolute paths)
     * @throws RestorePathException naming what is wrong with {@code requested}
     */
    public RestoreTarget target(String requested, String topic, int partition, Collection<Path> inUse)
            throws RestorePathException {
        try {
            TopicNames.validate(topic);
        } catch (InvalidTopicException e) {
            throw new RestorePathException("Cannot restore '" + topic + "': " + e.getMessage(), false);
        }
        Path realRoot;
        try {
            realRoot = root.toRealPath();
        } catch (IOException e) {
            throw new RestorePathException("The restore root " + root + " is not usable: " + e, false);
        }
        Path relative = underRoot(requested == null ? "" : requested.trim(), realRoot);
        Path directory = walk(realRoot, relative.resolve(topic + "-" + partition), requested);
        for (Path dir : inUse) {
            Path used = realPathOrSelf(dir.toAbsolutePath().normalize());
            if (directory.startsWith(used) || used.startsWith(directory)) {
                throw new RestorePathException("Cannot restore into " + directory + ": it is in use as the local.dir "
                        + used + " of a tiering service on this worker; name another directory", false);
            }
        }
        refuseSegmentFiles(directory);
        return RestoreTarget.confined(realRoot, directory);
    }

    /** {@code requested} as a path relative to the root: no '..', and an absolute one under the root. */
    private Path underRoot(String requested, Path realRoot) throws RestorePathException {
        Path path;
        try {
            path = Path.of(requested);
        } catch (InvalidPathException e) {
            throw new RestorePathException("'directory' is not a path: " + e.getMessage(), false);
        }
        for (Path name : path) {
            if (name.toString().equals("..")) {
                throw new RestorePathException("'directory' must not contain '..' (got '" + requested + "'): name a "
                        + "directory under the restore root " + root, false);
            }
        }
        if (!path.isAbsolute()) {
            return path.normalize();
        }
        Path absolute = path.normalize();
        if (absolute.startsWith(root)) {
            return root.relativize(absolute);
        }
        if (absolute.startsWith(realRoot)) {
            return realRoot.relativize(absolute);
        }
        throw new RestorePathException("Cannot restore into " + absolute + ": it is outside the restore root " + root
                + "; name a directory under it (absolute, or relative to it)", false);
    }

    /** Follows {@code relative} from the root: each existing part by its real path, which must stay under the root. */
    private static Path walk(Path realRoot, Path relative, String requested) throws RestorePathException {
        Path current = realRoot;
        for (Path name : relative) {
            if (name.toString().isEmpty()) {
                continue;
            }
            Path next = current.resolve(name);
            if (Files.isSymbolicLink(next)) {
                Path real;
                try {
                    real = next.toRealPath();
                } catch (IOException e) {
                    throw new RestorePathException("Cannot restore into '" + requested + "': " + next
                            + " is a symbolic link that leads nowhere (" + e.getMessage() + ")", false);
                }
                if (!real.startsWith(realRoot)) {
                    throw new RestorePathException("Cannot restore into '" + requested + "': " + next + " is a "
                            + "symbolic link to " + real + ", outside the restore root " + realRoot, false);
                }
                next = real;
            }
            if (Files.exists(next, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(next, LinkOption.NOFOLLOW_LINKS)) {
                throw new RestorePathException("Cannot restore into '" + requested + "': " + next
                        + " is not a directory", false);
            }
            current = next;
        }
        return current;
    }

    private static void refuseSegmentFiles(Path directory) throws RestorePathException {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                if (SEGMENT_FILE.matcher(entry.getFileName().toString()).matches()) {
                    throw new RestorePathException("Cannot restore into " + directory + ": it already holds segment "
                            + "files (" + entry.getFileName() + "), and a restore never replaces a file; name a new "
                            + "directory, or delete that one first", true);
                }
            }
        } catch (IOException e) {
            throw new RestorePathException("Cannot restore into " + directory + ": cannot list it: " + e, false);
        }
    }

    /** {@code path} with its deepest existing ancestor replaced by that ancestor's real path. */
    private static Path realPathOrSelf(Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(path));
        } catch (IOException e) {
            return path;
        }
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
