package io.tieredarchive.tier.read;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The directory a restore writes one partition's segment files into, and how it writes them:
 * <ul>
 *   <li>{@link #replacing}: a directory its caller chose and owns (the CLI's {@code --output}, a cache's staging
 *       folder, {@code verify}'s scratch copy). Created with its parents; a file already there is replaced.</li>
 *   <li>confined, from {@link RestoreRoot#target}: a directory under an operator's restore root, for a caller that
 *       is not the operator (the REST extension). Its missing parts are created one by one, none through a
 *       symbolic link; each file is created new ({@code CREATE_NEW}, {@code NOFOLLOW_LINKS}): an existing file,
 *       or a link in its place, fails the restore and is left as it was.</li>
 * </ul>
 */
public final class RestoreTarget {

    private static final OpenOption[] REPLACE = {StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING};
    private static final OpenOption[] CREATE_NEW = {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS};

    private final Path directory;
    /** The real path of the restore root this target is confined to; null when it replaces files. */
    private final Path root;

    private RestoreTarget(Path directory, Path root) {
        this.directory = directory;
        this.root = root;
    }

    /** {@code directory}, created with its parents if missing, its files replaced: a directory the caller owns. */
    public static RestoreTarget replacing(Path directory) {
        return new RestoreTarget(directory, null);
    }

    /** {@code directory}, a real path under the real path {@code root}, whose files are only ever created new. */
    static RestoreTarget confined(Path root, Path directory) {
        return new RestoreTarget(directory, root);
    }

    public Path directory() {
        return directory;
    }

    /** True when files already in the directory are replaced; false when only new files are written. */
    public boolean replacesFiles() {
        return root == null;
    }

    /** How each file of the restore is opened. */
    OpenOption[] writeOptions() {
        return root == null ? REPLACE.clone() : CREATE_NEW.clone();
    }

    /**
     * Creates the directory. A confined one is created one level at a time below the root; each level must then be
     * a directory itself, not a symbolic link (one may have appeared since {@link RestoreRoot#target} looked), and
     * the directory's real path must be the one checked.
     */
    void prepare() throws IOException {
        if (root == null) {
            Files.createDirectories(directory);
            return;
        }
        Path current = root;
        for (Path name : root.relativize(directory)) {
            if (name.toString().isEmpty()) {
                continue;
            }
            current = current.resolve(name);
            try {
                Files.createDirectory(current);
            } catch (FileAlreadyExistsException exists) {
                // checked below, without following a link
            }
            if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(current + " is not a directory (a symbolic link or a file); refusing to "
                        + "write through it");
            }
        }
        if (!directory.toRealPath().equals(directory)) {
            throw new IOException(directory + " now resolves to " + directory.toRealPath()
                    + "; refusing to write through a symbolic link");
        }
    }

    @Override
    public String toString() {
        return directory + (root == null ? " (replacing files)" : " (new files only, under " + root + ")");
    }
}
