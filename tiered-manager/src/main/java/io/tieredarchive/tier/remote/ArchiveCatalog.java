package io.tieredarchive.tier.remote;

import io.tieredarchive.tier.remote.RemoteLayout;
import io.tieredarchive.tier.storage.FolderLister;
import io.tieredarchive.tier.storage.StorageException;
import io.tieredarchive.config.TopicNames;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which topics and partitions the archive holds: the folders {@code <s3.prefix>/<topic>/<partition>/} of
 * {@link RemoteLayout}, listed as S3 common prefixes (delimiter {@code /}): one request per 1,000 topics, and one
 * per 1,000 partitions of a topic, however many segments they hold.
 */
public final class ArchiveCatalog {

    private final FolderLister lister;
    private final RemoteLayout layout;

    public ArchiveCatalog(FolderLister lister, RemoteLayout layout) {
        this.lister = lister;
        this.layout = layout;
    }

    /** The archived topics, in name order. */
    public List<String> topics() throws StorageException {
        List<String> topics = new ArrayList<>();
        for (String folder : lister.listFolders(layout.rootPrefix())) {
            if (TopicNames.isValid(folder)) {
                topics.add(folder);
            }
        }
        topics.sort(String::compareTo);
        return topics;
    }

    /** The archived partitions of {@code topic}, ascending; empty when the archive does not hold the topic. */
    public List<Integer> partitions(String topic) throws StorageException {
        List<Integer> partitions = new ArrayList<>();
        for (String folder : lister.listFolders(layout.rootPrefix() + topic + "/")) {
            parsePartition(folder).ifPresent(partitions::add);
        }
        partitions.sort(Integer::compare);
        return partitions;
    }

    /** Where the topic folders are: the key prefix, "" at the bucket's root. */
    public String root() {
        return layout.rootPrefix();
    }

    /** Where a topic's folders are, for messages. */
    public String location(String topic) {
        return layout.rootPrefix() + topic + "/";
    }

    private static Optional<Integer> parsePartition(String folder) {
        if (folder.isEmpty() || folder.length() > 10 || !folder.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        long p = Long.parseLong(folder);
        return p <= Integer.MAX_VALUE ? Optional.of((int) p) : Optional.empty();
    }
}
