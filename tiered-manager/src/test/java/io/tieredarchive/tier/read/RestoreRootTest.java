package io.tieredarchive.tier.read;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a caller may name as a restore directory under an operator's root, on the real file system. */
class RestoreRootTest {

    @TempDir
    Path tmp;
    private Path rootDir;
    private Path outside;
    private RestoreRoot root;

    @BeforeEach
    void setUp() throws IOException {
        rootDir = tmp.resolve("root");
        outside = Files.createDirectories(tmp.resolve("outside"));
        root = RestoreRoot.of(rootDir);
    }

    private Path target(String requested) throws RestorePathException {
        return root.target(requested, "orders", 3, List.of()).directory();
    }

    private String refused(String requested) {
        return refused(requested, List.of());
    }

    private String refused(String requested, List<Path> inUse) {
        RestorePathException e = assertThrows(RestorePathException.class,
                () -> root.target(requested, "orders", 3, inUse), requested);
        assertFalse(e.conflict(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aNameIsTakenUnderTheRootAndNothingIsCreated() throws Exception {
        Path real = rootDir.toRealPath();
        assertEquals(real.resolve("a/b/orders-3"), target("a/b"));
        assertEquals(real.resolve("a/b/orders-3"), target("./a/./b/"));
        assertEquals(real.resolve("orders-3"), target(null));
        assertEquals(real.resolve("orders-3"), target("  "));
        assertEquals(real.resolve("x/orders-3"), target(rootDir.resolve("x").toString()));
        assertFalse(Files.exists(rootDir.resolve("a")), "target() creates nothing");
    }

    @Test
    void theRootMustBeAbsoluteAndIsCreated() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> RestoreRoot.of(Path.of("relative/root")));
        assertTrue(Files.isDirectory(rootDir));
    }

    @Test
    void dotDotAndAbsolutePathsOutsideAreRefused() {
        // The reviewer's three: "/etc", "../../x" and "/tmp/r/../../etc/x" (here under this test's own folders).
        assertTrue(refused(outside.toString()).contains("outside the restore root " + rootDir), outside.toString());
        assertTrue(refused("../../x").contains("must not contain '..'"));
        assertTrue(refused(rootDir + "/../../etc/x").contains("must not contain '..'"));
        assertTrue(refused("a/../b").contains("'..'"), "even when it stays inside");
        assertTrue(refused("/").contains("outside the restore root"));
        assertTrue(refused(rootDir + "-sibling").contains("outside the restore root"), "a prefix is not a parent");
    }

    @Test
    void symbolicLinksMayNotLeaveTheRoot() throws Exception {
        Files.createSymbolicLink(rootDir.resolve("out"), outside);
        assertTrue(refused("out").contains("is a symbolic link to " + outside.toRealPath()), refused("out"));
        assertTrue(refused("out/deeper").contains("symbolic link"));
        Files.createDirectories(rootDir.resolve("p"));
        Files.createSymbolicLink(rootDir.resolve("p/orders-3"), outside);
        assertTrue(refused("p").contains("symbolic link"), "the partition directory itself");
        Files.createSymbolicLink(rootDir.resolve("gone"), outside.resolve("missing"));
        assertTrue(refused("gone").contains("leads nowhere"));
        Files.createSymbolicLink(rootDir.resolve("up"), Path.of(".."));
        assertTrue(refused("up/outside").contains("symbolic link"), "a relative link climbing out");

        Path inside = Files.createDirectories(rootDir.resolve("real"));
        Files.createSymbolicLink(rootDir.resolve("in"), inside);
        assertEquals(inside.toRealPath().resolve("orders-3"), target("in"), "a link staying inside is followed");
    }

    @Test
    void aRootThatIsItselfALinkIsAcceptedByEitherName() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real-root"));
        Path link = Files.createSymbolicLink(tmp.resolve("link-root"), real);
        RestoreRoot linked = RestoreRoot.of(link);
        assertEquals(real.toRealPath().resolve("a/orders-3"),
                linked.target(link.resolve("a").toString(), "orders", 3, List.of()).directory());
        assertEquals(real.toRealPath().resolve("a/orders-3"),
                linked.target(real.resolve("a").toString(), "orders", 3, List.of()).directory());
    }

    @Test
    void aFileInPlaceOfADirectoryIsRefused() throws Exception {
        Files.writeString(rootDir.resolve("file"), "x");
        assertTrue(refused("file").contains("is not a directory"));
    }

    @Test
    void aLocalDirInUseIsRefusedInsideOrAround() throws Exception {
        Path local = Files.createDirectories(rootDir.resolve("sink"));
        List<Path> inUse = List.of(local);
        assertTrue(refused("sink", inUse).contains("local.dir " + local.toRealPath()));
        assertTrue(refused(local.toString(), inUse).contains("local.dir"));
        assertTrue(refused("sink/deeper", inUse).contains("local.dir"));
        Path localAsPartition = rootDir.resolve("x/orders-3/local");
        assertTrue(refused("x", List.of(localAsPartition)).contains("local.dir"), "a local.dir below the target");
        Files.createSymbolicLink(rootDir.resolve("alias"), local);
        assertTrue(refused("alias", inUse).contains("local.dir"), "compared by real paths");
        assertEquals(rootDir.toRealPath().resolve("sink-2/orders-3"),
                root.target("sink-2", "orders", 3, inUse).directory(), "a sibling with a common prefix is fine");
    }

    @Test
    void aDirectoryHoldingSegmentFilesIsAConflict() throws Exception {
        Path dir = Files.createDirectories(rootDir.resolve("again/orders-3"));
        Files.writeString(dir.resolve("README.txt"), "notes");
        assertEquals(dir.toRealPath(), target("again"), "other files are no conflict");
        Files.writeString(dir.resolve("00000000000000000100.timeindex"), "x");
        RestorePathException e = assertThrows(RestorePathException.class, () -> target("again"));
        assertTrue(e.conflict());
        assertTrue(e.getMessage().contains("never replaces a file"), e.getMessage());
    }

    @Test
    void aNameThatIsNoTopicIsRefused() {
        for (String topic : List.of("..", "a/b", "", "x".repeat(250))) {
            assertThrows(RestorePathException.class, () -> root.target("d", topic, 0, List.of()), topic);
        }
    }

    @Test
    void prepareCreatesTheDirectoryWithoutFollowingALinkThatAppearedSince() throws Exception {
        RestoreTarget target = root.target("made/here", "orders", 3, List.of());
        target.prepare();
        assertTrue(Files.isDirectory(rootDir.resolve("made/here/orders-3")));

        RestoreTarget raced = root.target("race/sub", "orders", 3, List.of());
        Files.createSymbolicLink(rootDir.resolve("race"), outside); // swapped in after the check
        assertThrows(IOException.class, raced::prepare);
        try (Stream<Path> written = Files.walk(outside)) {
            assertEquals(List.of(outside), written.toList(), "nothing created outside the root");
        }
    }
}
