package io.tieredarchive.sink;

import io.tieredarchive.tier.LocalDirOwner;

import org.apache.kafka.connect.errors.ConnectException;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What a sink task holds open between start and stop, other than its partitions: the record converter, the
 * durability (the S3 tier of {@code local.dir}) and the topic identities. Opened in that order by {@link #open},
 * with {@code local.dir} claimed for the connector in between; on a failure, what was opened is closed again.
 */
record TaskResources(RecordConverter converter, Durability durability, TopicIdentities identities)
        implements AutoCloseable {

    /**
     * Creates {@code local.dir}, starts its tier and records the connector as its owner; refuses (with a
     * {@link ConnectException} saying why) a {@code local.dir} another connector archives to another destination.
     */
    static TaskResources open(ArchiveSinkConfig config, Map<String, String> props,
                              ArchiveSinkTask.Collaborators collaborators, Runnable onTiered, LongSupplier clock) {
        try {
            Files.createDirectories(config.localDir());
        } catch (IOException e) {
            throw new ConnectException("Cannot create local.dir " + config.localDir() + ": " + e, e);
        }
        RecordConverter converter = RecordConverter.fromConnectorConfig(props);
        Durability durability;
        try {
            durability = collaborators.durabilities().apply(config).apply(onTiered);
        } catch (RuntimeException e) { // a bad s3.* value validate() could not see, or local.dir taken elsewhere
            converter.close();
            throw new ConnectException("Cannot start the S3 tier of " + config.localDir() + ": " + e.getMessage(), e);
        }
        try {
            claimLocalDir(config, durability, clock.getAsLong());
            return new TaskResources(converter, durability, collaborators.identities().apply(config));
        } catch (RuntimeException e) {
            durability.close();
            converter.close();
            throw e;
        }
    }

    /** Refuses a local.dir another connector archives elsewhere; records this connector as its owner. */
    private static void claimLocalDir(ArchiveSinkConfig config, Durability durability, long nowMs) {
        Optional<String> conflict = LocalDirOwner.conflict(config.localDir(), config.connectorName(),
                durability.destination(), nowMs);
        if (conflict.isPresent()) {
            throw new ConnectException(conflict.get());
        }
        try {
            LocalDirOwner.claim(config.localDir(), config.connectorName(), durability.destination(), nowMs);
        } catch (IOException e) {
            throw new ConnectException("Cannot record the owner of local.dir " + config.localDir() + ": " + e, e);
        }
    }

    /** Closes the identities, the durability and the converter, in the reverse order of {@link #open}. */
    @Override
    public void close() {
        try {
            identities.close();
        } finally {
            try {
                durability.close();
            } finally {
                converter.close();
            }
        }
    }
}
