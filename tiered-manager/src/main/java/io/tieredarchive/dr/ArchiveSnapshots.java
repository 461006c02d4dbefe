package io.tieredarchive.dr;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.storage.ObjectInfo;
import io.tieredarchive.tier.storage.PreconditionFailedException;
import io.tieredarchive.tier.storage.StorageBackend;
import io.tieredarchive.tier.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The restore snapshots in an archive ({@link SnapshotLayout}): writes each once ({@code If-None-Match: *}, so an
 * existing object is never replaced), and finds the one a restore needs. Reading the newest config costs one LIST of
 * the incarnation's config folder; finding the group snapshot at a time lists the day folders and one day.
 */
public final class ArchiveSnapshots {

    private static final Logger log = LoggerFactory.getLogger(ArchiveSnapshots.class);

    /** 9999-12-31T23:59:59.999Z: the last instant whose day folder name sorts among the others. */
    private static final long LAST_DAY_MS = 253_402_300_799_999L;

    private final StorageBackend backend;
    private final SnapshotLayout layout;

    public ArchiveSnapshots(RemoteSegmentStore store) {
        this.backend = store.backend();
        this.layout = new SnapshotLayout(store.layout());
    }

    /** Writes a group snapshot; returns its key. An object of that key (same writer, same millisecond) is kept. */
    public String write(GroupOffsetsSnapshot s) throws StorageException {
        return writeOnce(layout.groupsKey(s.topic(), s.incarnation(), s.snapshotAtMs(), s.writer()), s.toBytes());
    }

    /** Writes a config snapshot; returns its key. */
    public String write(TopicConfigSnapshot s) throws StorageException {
        return writeOnce(layout.configKey(s.topic(), s.incarnation(), s.snapshotAtMs(), s.writer()), s.toBytes());
    }

    private String writeOnce(String key, byte[] bytes) throws StorageException {
        try {
            backend.putIfMatch(key, bytes, null);
        } catch (PreconditionFailedException exists) {
            log.debug("{} exists already; kept", backend.location() + key);
        }
        return key;
    }

    /** The newest config snapshot of an incarnation taken at or before {@code atMs}; empty when none is. */
    public Optional<TopicConfigSnapshot> configAt(String topic, Incarnation incarnation, long atMs)
            throws SegmentException {
        String prefix = layout.configsPrefix(topic, incarnation);
        String newest = newestAtOrBefore(backend.listAll(prefix, null), prefix, atMs);
        if (newest == null) {
            return Optional.empty();
        }
        TopicConfigSnapshot s = TopicConfigSnapshot.fromBytes(backend.fetchAll(newest), backend.location() + newest);
        check(s.topic(), s.incarnation(), topic, incarnation, newest);
        return Optional.of(s);
    }

    /** The newest group snapshot of an incarnation taken at or before {@code atMs}; empty when none is. */
    public Optional<GroupOffsetsSnapshot> groupsAt(String topic, Incarnation incarnation, long atMs)
            throws SegmentException {
        String until = SnapshotLayout.day(Math.min(atMs, LAST_DAY_MS)); // day names compare as text up to year 9999
        List<String> days = backend.listFolders(layout.groupsPrefix(topic, incarnation));
        for (int i = days.size() - 1; i >= 0; i--) {
            if (days.get(i).compareTo(until) > 0) {
                continue;
            }
            String prefix = layout.groupsDayPrefix(topic, incarnation, days.get(i));
            String newest = newestAtOrBefore(backend.listAll(prefix, null), prefix, atMs);
            if (newest != null) {
                GroupOffsetsSnapshot s = GroupOffsetsSnapshot.fromBytes(backend.fetchAll(newest),
                        backend.location() + newest);
                check(s.topic(), s.incarnation(), topic, incarnation, newest);
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The times of every group snapshot of an incarnation, oldest first. */
    public List<Long> groupSnapshotTimes(String topic, Incarnation incarnation) throws StorageException {
        List<Long> times = new ArrayList<>();
        for (String day : backend.listFolders(layout.groupsPrefix(topic, incarnation))) {
            String prefix = layout.groupsDayPrefix(topic, incarnation, day);
            for (ObjectInfo info : backend.listAll(prefix, null)) {
                SnapshotLayout.timeOf(info.key().substring(prefix.length())).ifPresent(times::add);
            }
        }
        return times;
    }

    /** Where a topic's snapshots are, for messages. */
    public String location(String topic, Incarnation incarnation) {
        return backend.location() + layout.groupsPrefix(topic, incarnation);
    }

    private static String newestAtOrBefore(List<ObjectInfo> objects, String prefix, long atMs) {
        String newest = null;
        long newestAt = Long.MIN_VALUE;
        for (ObjectInfo info : objects) {
            Optional<Long> at = SnapshotLayout.timeOf(info.key().substring(prefix.length()));
            if (at.isPresent() && at.get() <= atMs && (at.get() > newestAt
                    || (at.get() == newestAt && info.key().compareTo(newest) > 0))) {
                newest = info.key();
                newestAt = at.get();
            }
        }
        return newest;
    }

    /** A snapshot copied into another incarnation's folder would restore the wrong offsets: refuse it. */
    private void check(String topic, Incarnation incarnation, String expectedTopic, Incarnation expected, String key)
            throws SegmentException {
        if (!topic.equals(expectedTopic) || !incarnation.equals(expected)) {
            throw new io.tieredarchive.segment.CorruptSegmentException(backend.location() + key, -1,
                    "the snapshot describes " + topic + " (" + incarnation + "), not the incarnation of its folder ("
                            + expectedTopic + ", " + expected + ")");
        }
    }
}
