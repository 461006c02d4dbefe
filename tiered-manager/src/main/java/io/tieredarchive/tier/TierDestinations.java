package io.tieredarchive.tier;

import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The stores one {@link TieringService} uploads to, by destination ({@link RemoteSegmentStore#destination()}):
 * usually one, more while segments sealed under an older connector config drain to where that config said.
 *
 * <ul>
 *   <li>Each destination counts its users by owner (a connector name, or the CLI), so that
 *       {@link #attach} can refuse a second connector that would archive the same {@code local.dir} elsewhere;</li>
 *   <li>attaching a store of a destination already here replaces its store (new credentials: a key rotation takes
 *       effect without a worker restart); the replaced store is closed by the tiering thread, after the pass that
 *       may still use it;</li>
 *   <li>a destination nobody uses any more stays while segments for it are pending, then is closed.</li>
 * </ul>
 * A segment whose marker names no destination (legacy markers) goes to the first destination attached. Thread-safe.
 */
final class TierDestinations {

    private static final Logger log = LoggerFactory.getLogger(TierDestinations.class);

    private static final class Destination {
        RemoteSegmentStore store;
        final Map<String, Integer> owners = new HashMap<>();

        Destination(RemoteSegmentStore store) {
            this.store = store;
        }

        int users() {
            return owners.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Refused: another connector archives this {@code local.dir} to another destination. */
    static final class ConflictException extends IllegalStateException {
        ConflictException(String message) {
            super(message);
        }
    }

    private final Map<String, Destination> destinations = new LinkedHashMap<>();
    /** Owners that are connectors (attached with the conflict check), as opposed to tools. */
    private final java.util.Set<String> connectors = new java.util.HashSet<>();
    private final List<RemoteSegmentStore> replaced = new ArrayList<>();
    /** When the owner of the local.dir was last recorded; the tiering thread only. */
    private long ownerRecordedAtMs;

    /**
     * Adds a user of {@code store}'s destination.
     *
     * @param owner the connector name (or another name for tools) using it
     * @param conflictCheck true to refuse a destination other than those other owners use now
     * @throws ConflictException when another owner archives to another destination now
     */
    synchronized void attach(String owner, RemoteSegmentStore store, String localDir, boolean conflictCheck) {
        String name = store.destination();
        if (conflictCheck) {
            destinations.forEach((other, d) -> d.owners.keySet().stream()
                    .filter(o -> !o.equals(owner) && !other.equals(name)).findFirst()
                    .ifPresent(o -> {
                        throw new ConflictException("local.dir " + localDir + " is used by connector '" + o
                                + "', which archives to " + other + "; connector '" + owner + "' archives to "
                                + name + ". Give each connector its own local.dir");
                    }));
        }
        Destination d = destinations.get(name);
        if (d == null) {
            destinations.put(name, new Destination(store));
            log.info("Tiering {} to {} for {}", localDir, name, owner);
        } else if (d.store != store) {
            replaced.add(d.store);
            d.store = store;
            log.info("Tiering {} to {} with {}'s new connection settings (credentials or client options changed)",
                    localDir, name, owner);
        }
        destinations.get(name).owners.merge(owner, 1, Integer::sum);
        if (conflictCheck) {
            connectors.add(owner);
        }
    }

    /** A connector using this service now, and its destination: the one recorded as the local.dir's owner. */
    synchronized Optional<Map.Entry<String, String>> runningConnector() {
        for (Map.Entry<String, Destination> d : destinations.entrySet()) {
            for (Map.Entry<String, Integer> o : d.getValue().owners.entrySet()) {
                if (o.getValue() > 0 && connectors.contains(o.getKey())) {
                    return Optional.of(Map.entry(o.getKey(), d.getKey()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Removes a user; the destination stays until {@link #closeIdle} finds nothing pending for it. When no connector
     * uses the service any more, {@code localDir}'s owner file says so ({@link LocalDirOwner#release}), if it names
     * the connector that stopped.
     */
    synchronized void detach(String owner, String destination, Path localDir, long nowMs) {
        Destination d = destinations.get(destination);
        if (d != null) {
            d.owners.computeIfPresent(owner, (o, n) -> n > 1 ? n - 1 : null);
        }
        if (runningConnector().isEmpty() && connectors.contains(owner)) {
            try {
                LocalDirOwner.release(localDir, owner, nowMs);
            } catch (IOException e) {
                log.warn("Cannot record that {} has no running owner: {}", localDir, e.toString());
            }
        }
    }

    /** Every {@link LocalDirOwner#HEARTBEAT_MS}: records in {@code localDir} that a connector of it still runs. */
    void recordOwner(Path localDir, long nowMs) {
        if (nowMs - ownerRecordedAtMs < LocalDirOwner.HEARTBEAT_MS) {
            return;
        }
        runningConnector().ifPresent(owner -> {
            try {
                LocalDirOwner.claim(localDir, owner.getKey(), owner.getValue(), nowMs);
                ownerRecordedAtMs = nowMs;
            } catch (IOException e) {
                log.warn("Cannot record the owner of {}: {}", localDir, e.toString());
            }
        });
    }

    /** The store for segments sealed for {@code destination} (null: the first destination); empty if none is here. */
    synchronized Optional<RemoteSegmentStore> storeFor(String destination) {
        if (destination == null) {
            return destinations.values().stream().findFirst().map(d -> d.store);
        }
        Destination d = destinations.get(destination);
        return d == null ? Optional.empty() : Optional.of(d.store);
    }

    /** The store of the first destination, if any. */
    synchronized Optional<RemoteSegmentStore> first() {
        return storeFor(null);
    }

    synchronized List<RemoteSegmentStore> stores() {
        return destinations.values().stream().map(d -> d.store).toList();
    }

    /** True when no destination has a user. */
    synchronized boolean unused() {
        return destinations.values().stream().allMatch(d -> d.users() == 0);
    }

    /** Closes the stores replaced by new connection settings: called by the tiering thread between passes. */
    void closeReplaced() {
        List<RemoteSegmentStore> closing;
        synchronized (this) {
            closing = new ArrayList<>(replaced);
            replaced.clear();
        }
        closing.forEach(RemoteSegmentStore::close);
    }

    /**
     * Closes and forgets the destinations nobody uses for which {@code pending} holds nothing any more, keeping the
     * first one while others are used. Called by the tiering thread between passes.
     */
    void closeIdle(Predicate<String> pending) {
        List<RemoteSegmentStore> closing = new ArrayList<>();
        synchronized (this) {
            boolean anyUsed = destinations.values().stream().anyMatch(d -> d.users() > 0);
            destinations.entrySet().removeIf(e -> {
                boolean idle = anyUsed && e.getValue().users() == 0 && !pending.test(e.getKey());
                if (idle) {
                    log.info("Segments sealed for {} are all there; it is no longer tiered to", e.getKey());
                    closing.add(e.getValue().store);
                }
                return idle;
            });
        }
        closing.forEach(RemoteSegmentStore::close);
    }

    /** Closes every store. */
    void closeAll() {
        closeReplaced();
        List<RemoteSegmentStore> closing;
        synchronized (this) {
            closing = stores();
            destinations.clear();
        }
        closing.forEach(RemoteSegmentStore::close);
    }
}
