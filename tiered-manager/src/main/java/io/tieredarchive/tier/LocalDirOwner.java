package io.tieredarchive.tier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Which connector a {@code local.dir} belongs to, and where it archives: {@code local.dir/tiered-archive-owner.json},
 * written by each sink task when it starts and by the tiering service every {@link #HEARTBEAT_MS} while a task of
 * the connector runs (temporary file, fsync, rename). UTF-8 JSON:
 * <pre>
 * {
 *   "connector" : "orders-archive",          // the connector's name
 *   "destination" : "s3://archive/prod",     // where it archives (RemoteSegmentStore#destination)
 *   "updatedAtMs" : 1700000000000,           // when it was last seen running here
 *   "running" : true                         // false once its last task here stopped
 * }
 * </pre>
 * A second connector that would archive the same directory to another destination while the first runs (not
 * stopped, and seen within {@link #LIVE_MS}: a worker killed while it ran stops counting after that) is refused, by the connector's {@code validate()} on a worker that has the directory and
 * by its tasks when they start: their segments would mix, and each connector's tasks would count the other's as
 * archived. The same connector with a new destination (its config changed) is not refused: the segments sealed for
 * the old one drain there. Nor is a connector given the {@code local.dir} of one that no longer runs: the leftover
 * segments belong to another archive, which the sink never counts ({@code PartitionOpener} retires them).
 */
public final class LocalDirOwner {

    public static final String FILE_NAME = "tiered-archive-owner.json";
    /** How often the tiering service records that the owner still runs. */
    public static final long HEARTBEAT_MS = 60_000;
    /** An owner seen this recently counts as running. */
    public static final long LIVE_MS = 5 * HEARTBEAT_MS;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The owner recorded in a {@code local.dir}. */
    public record Owner(String connector, String destination, long updatedAtMs, boolean running) {
    }

    private LocalDirOwner() {
    }

    /** The owner recorded in {@code localDir}; empty when none is (or the file cannot be read). */
    public static Optional<Owner> read(Path localDir) {
        try {
            JsonNode root = MAPPER.readTree(Files.readAllBytes(localDir.resolve(FILE_NAME)));
            if (root != null && root.path("connector").isTextual() && root.path("destination").isTextual()) {
                return Optional.of(new Owner(root.get("connector").textValue(), root.get("destination").textValue(),
                        root.path("updatedAtMs").asLong(0), root.path("running").asBoolean(true)));
            }
        } catch (NoSuchFileException none) {
            return Optional.empty();
        } catch (IOException unreadable) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * Why {@code connector} may not archive {@code localDir} to {@code destination}: another connector that runs
     * (seen within {@link #LIVE_MS} of {@code nowMs}) owns it and archives elsewhere. Empty when it may.
     */
    public static Optional<String> conflict(Path localDir, String connector, String destination, long nowMs) {
        return read(localDir).filter(o -> !o.connector().equals(connector) && !o.destination().equals(destination)
                        && o.running() && nowMs - o.updatedAtMs() < LIVE_MS)
                .map(o -> "local.dir " + localDir + " belongs to connector '" + o.connector() + "', which archives "
                        + "to " + o.destination() + " (seen running " + Math.max(0, (nowMs - o.updatedAtMs()) / 1000)
                        + " s ago); connector '" + connector + "' archives to " + destination
                        + ". Give each connector its own local.dir. If '" + o.connector() + "' is deleted and every "
                        + "segment under " + localDir + " is uploaded ('tiered-archive archive --local-dir "
                        + localDir + "' with its s3.* settings uploads what is left), delete "
                        + localDir.resolve(FILE_NAME));
    }

    /** Records {@code connector} and {@code destination} as the running owner of {@code localDir}. */
    public static void claim(Path localDir, String connector, String destination, long nowMs) throws IOException {
        write(localDir, connector, destination, nowMs, true);
    }

    /**
     * Records that {@code connector}, the owner of {@code localDir}, stopped running here (its last task stopped).
     * Leaves the file alone when it names another connector: a task refused because another connector owns the
     * directory must not free that connector's claim.
     */
    public static void release(Path localDir, String connector, long nowMs) throws IOException {
        Optional<Owner> owner = read(localDir);
        if (owner.isPresent() && owner.get().connector().equals(connector)) {
            write(localDir, owner.get().connector(), owner.get().destination(), nowMs, false);
        }
    }

    private static void write(Path localDir, String connector, String destination, long nowMs, boolean running)
            throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("connector", connector);
        root.put("destination", destination);
        root.put("updatedAtMs", nowMs);
        root.put("running", running);
        Path target = localDir.resolve(FILE_NAME);
        // A temporary name of its own: tasks starting and the tiering service may write at the same moment.
        Path tmp = Files.createTempFile(localDir, "." + FILE_NAME, ".tmp");
        Files.write(tmp, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LocalTier.fsyncDirectory(localDir);
    }
}
