package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.tier.storage.ObjectNotFoundException;
import io.tieredarchive.tier.storage.StorageBackend;
import io.tieredarchive.tier.storage.StorageException;
import io.tieredarchive.config.TopicNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which topics, incarnations and partitions the archive holds: the folders of {@link RemoteLayout}, listed as S3
 * common prefixes (delimiter {@code /}): one request per 1,000 topics, one per topic for its incarnations, and one
 * per 1,000 partitions of an incarnation, however many segments they hold.
 */
public final class ArchiveCatalog {

    private static final Logger log = LoggerFactory.getLogger(ArchiveCatalog.class);

    /** One incarnation of a topic in the archive; {@code info} is empty for the legacy incarnation. */
    public record Entry(Incarnation incarnation, Optional<IncarnationInfo> info) {

        /** When the archive first saw it; 0 for the legacy incarnation or an unreadable description. */
        public long createdAtMs() {
            return info.map(IncarnationInfo::createdAtMs).orElse(0L);
        }
    }

    /** Legacy first (it predates identities), then by creation time, then by id. */
    public static final Comparator<Entry> ORDER = Comparator
            .comparing((Entry e) -> !e.incarnation().isLegacy())
            .thenComparingLong(Entry::createdAtMs)
            .thenComparing(e -> e.incarnation().id());

    private final StorageBackend backend;
    private final RemoteLayout layout;

    public ArchiveCatalog(StorageBackend backend, RemoteLayout layout) {
        this.backend = backend;
        this.layout = layout;
    }

    /** The archived topics, in name order. */
    public List<String> topics() throws StorageException {
        List<String> topics = new ArrayList<>();
        for (String folder : backend.listFolders(layout.rootPrefix())) {
            if (TopicNames.isValid(folder)) {
                topics.add(folder);
            }
        }
        topics.sort(String::compareTo);
        return topics;
    }

    /** The incarnations of {@code topic} in the archive, oldest first ({@link #ORDER}); empty when it has none. */
    public List<Entry> incarnations(String topic) throws SegmentException {
        List<Entry> found = new ArrayList<>();
        boolean legacy = false;
        for (String folder : backend.listFolders(layout.topicPrefix(topic))) {
            if (parsePartition(folder).isPresent()) {
                legacy = true;
                continue;
            }
            Optional<Incarnation> incarnation = Incarnation.parse(folder);
            if (incarnation.isPresent() && !incarnation.get().isLegacy()) {
                found.add(new Entry(incarnation.get(), describe(topic, incarnation.get())));
            }
        }
        if (legacy) {
            found.add(new Entry(Incarnation.LEGACY, Optional.empty()));
        }
        found.sort(ORDER);
        return found;
    }

    /** The archived partitions of one incarnation of {@code topic}, ascending. */
    public List<Integer> partitions(String topic, Incarnation incarnation) throws StorageException {
        List<Integer> partitions = new ArrayList<>();
        for (String folder : backend.listFolders(layout.incarnationPrefix(topic, incarnation))) {
            parsePartition(folder).ifPresent(partitions::add);
        }
        partitions.sort(Integer::compare);
        return partitions;
    }

    /**
     * The one partition of the selected incarnation of {@code topic} a read works on.
     *
     * @throws IllegalArgumentException when the selection matches no incarnation or several, naming those there are
     */
    public ArchivePartition resolve(String topic, int partition, IncarnationSelection selection)
            throws SegmentException {
        List<Entry> all = incarnations(topic);
        List<Entry> chosen = selection.select(all);
        if (chosen.size() != 1) {
            throw new IllegalArgumentException((chosen.isEmpty() ? "No" : "More than one") + " incarnation of '"
                    + topic + "' matches '" + selection + "'; the archive holds "
                    + (all.isEmpty() ? "none" : all.stream().map(e -> e.incarnation().id()).toList()));
        }
        return new ArchivePartition(topic, chosen.get(0).incarnation(), partition);
    }

    /** The description of an incarnation; empty (with a WARN) when it is missing or unreadable. */
    private Optional<IncarnationInfo> describe(String topic, Incarnation incarnation) throws StorageException {
        String key = layout.incarnationKey(topic, incarnation);
        try {
            IncarnationInfo info = IncarnationInfo.fromBytes(backend.fetchAll(key), backend.location() + key);
            if (!info.topic().equals(topic) || !info.incarnation().equals(incarnation)) {
                log.warn("Ignoring {}: it describes {} of {}, not its folder's incarnation", backend.location() + key,
                        info.incarnation(), info.topic());
                return Optional.empty();
            }
            return Optional.of(info);
        } catch (ObjectNotFoundException e) {
            log.debug("Incarnation {} of {} has no description yet", incarnation.id(), topic);
            return Optional.empty();
        } catch (StorageException e) {
            throw e;
        } catch (SegmentException e) {
            log.warn("Ignoring the unreadable incarnation description {}: {}", backend.location() + key,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** Where the topic folders are: the key prefix, "" at the bucket's root. */
    public String root() {
        return layout.rootPrefix();
    }

    /** Where a topic's folders are, for messages. */
    public String location(String topic) {
        return layout.topicPrefix(topic);
    }

    private static Optional<Integer> parsePartition(String folder) {
        if (folder.isEmpty() || folder.length() > 10 || !folder.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        long p = Long.parseLong(folder);
        return p <= Integer.MAX_VALUE ? Optional.of((int) p) : Optional.empty();
    }
}
