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
 * written by each sink task when it starts (temporary file, fsync, rename). UTF-8 JSON:
 * <pre>
 * {
 *   "connector" : "orders-archive",          // the connector's name
 *   "destination" : "s3://archive/prod",     // where it archives (RemoteSegmentStore#destination)
 *   "updatedAtMs" : 1700000000000            // when a task of it last started
 * }
 * </pre>
 * A second connector that would archive the same directory to another destination is refused, by the connector's
 * {@code validate()} on a worker that has the directory and by its tasks when they start: its segments would mix
 * with the first's, and each connector's tasks would count the other's as archived. The same connector with a new
 * destination (its config changed) is not refused: the segments sealed for the old one drain there.
 */
public final class LocalDirOwner {

    public static final String FILE_NAME = "tiered-archive-owner.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The owner recorded in a {@code local.dir}. */
    public record Owner(String connector, String destination) {
    }

    private LocalDirOwner() {
    }

    /** The owner recorded in {@code localDir}; empty when none is (or the file cannot be read). */
    public static Optional<Owner> read(Path localDir) {
        try {
            JsonNode root = MAPPER.readTree(Files.readAllBytes(localDir.resolve(FILE_NAME)));
            if (root != null && root.path("connector").isTextual() && root.path("destination").isTextual()) {
                return Optional.of(new Owner(root.get("connector").textValue(), root.get("destination").textValue()));
            }
        } catch (NoSuchFileException none) {
            return Optional.empty();
        } catch (IOException unreadable) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * Why {@code connector} may not archive {@code localDir} to {@code destination}: another connector owns it and
     * archives elsewhere. Empty when it may.
     */
    public static Optional<String> conflict(Path localDir, String connector, String destination) {
        return read(localDir).filter(o -> !o.connector().equals(connector) && !o.destination().equals(destination))
                .map(o -> "local.dir " + localDir + " belongs to connector '" + o.connector() + "', which archives "
                        + "to " + o.destination() + "; connector '" + connector + "' archives to " + destination
                        + ". Give each connector its own local.dir. If '" + o.connector() + "' is deleted and every "
                        + "segment under " + localDir + " is uploaded ('tiered-archive archive --local-dir "
                        + localDir + "' with its s3.* settings uploads what is left), delete "
                        + localDir.resolve(FILE_NAME));
    }

    /** Records {@code connector} and {@code destination} as the owner of {@code localDir}. */
    public static void claim(Path localDir, String connector, String destination, long nowMs) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("connector", connector);
        root.put("destination", destination);
        root.put("updatedAtMs", nowMs);
        Path target = localDir.resolve(FILE_NAME);
        Path tmp = localDir.resolve(FILE_NAME + ".tmp");
        Files.write(tmp, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LocalTier.fsyncDirectory(localDir);
    }
}
