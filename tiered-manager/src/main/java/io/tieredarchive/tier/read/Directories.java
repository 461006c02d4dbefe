package io.tieredarchive.tier.read;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Recursive deletion of the tier's own directories (cache entries, scratch copies). */
final class Directories {

    private Directories() {
    }

    /** Deletes {@code root} and everything below it; nothing when it is absent. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (DirectoryNotEmptyException raced) {
                    // a file appeared meanwhile (a concurrent writer); leave the directory to it
                }
            }
        }
    }
}
