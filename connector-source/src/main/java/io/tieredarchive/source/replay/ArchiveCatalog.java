package io.tieredarchive.source.replay;

import io.tieredarchive.tier.RemoteLayout;
import io.tieredarchive.tier.storage.ObjectInfo;
import io.tieredarchive.tier.storage.ObjectLister;
import io.tieredarchive.tier.storage.StorageException;
import org.apache.kafka.common.internals.Topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which topics and partitions the archive holds: the folders {@code <s3.prefix>/<topic>/<partition>/} of
 * {@link RemoteLayout}. Lists with a skip scan: one single-key LIST request finds the next folder, the next starts
 * after everything in it, so finding N folders costs N + 1 requests however many segments they hold.
 */
public final class ArchiveCatalog {

    private final ObjectLister lister;
    private final RemoteLayout layout;

    public ArchiveCatalog(ObjectLister lister, RemoteLayout layout) {
        this.lister = lister;
        this.layout = layout;
    }

    /** The archived topics, in name order. */
    public List<String> topics() throws StorageException {
        List<String> topics = new ArrayList<>();
        for (String folder : folders(layout.rootPrefix())) {
            if (Topic.isValid(folder)) {
                topics.add(folder);
            }
        }
        topics.sort(String::compareTo);
        return topics;
    }

    /** The archived partitions of {@code topic}, ascending; empty when the archive does not hold the topic. */
    public List<Integer> partitions(String topic) throws StorageException {
        List<Integer> partitions = new ArrayList<>();
        for (String folder : folders(layout.rootPrefix() + topic + "/")) {
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

    /** The names of the folders directly under {@code prefix}, in key order. */
    private List<String> folders(String prefix) throws StorageException {
        List<String> folders = new ArrayList<>();
        String after = null;
        while (true) {
            List<ObjectInfo> next = lister.list(prefix, after, 1);
            if (next.isEmpty()) {
                return folders;
            }
            String key = next.get(0).key();
            String rest = key.substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash <= 0) {
                after = key; // an object beside the folders
                continue;
            }
            String folder = rest.substring(0, slash);
            folders.add(folder);
            // Every key in the folder is "<folder>/..." and sorts below "<folder>0", as '/' sorts right below '0'.
            after = prefix + folder + "0";
        }
    }
}
