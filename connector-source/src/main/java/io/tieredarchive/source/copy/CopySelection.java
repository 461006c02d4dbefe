package io.tieredarchive.source.copy;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Which listed objects one task copies, and where to: the task's hash shard of the keys, the include and exclude
 * regexes (on the key relative to the source prefix), and the destination key
 * ({@code destination prefix + "/" + relative key}).
 *
 * <p>A key with a {@code .} or {@code ..} path segment is refused: HTTP clients and stores normalise such paths
 * (S3Proxy and the SDK turn {@code a/./b} into {@code a/b}), so the copy would land somewhere else than its key
 * says, possibly outside the destination prefix. So is a destination key longer than S3's 1,024 UTF-8 bytes.
 */
public final class CopySelection {

    static final int MAX_KEY_BYTES = 1024;

    private final String listPrefix;
    private final String destinationPrefix;
    private final Pattern include;
    private final Pattern exclude;
    private final int shard;
    private final int shards;

    /**
     * @param sourcePrefix      source prefix without trailing slash, "" for the bucket's root
     * @param destinationPrefix destination prefix without trailing slash, "" for the bucket's root
     * @param include           keys to copy, or null for all
     * @param exclude           keys not to copy, or null for none
     * @param shard             this task's shard, from 0
     * @param shards            number of shards (tasks)
     */
    public CopySelection(String sourcePrefix, String destinationPrefix, Pattern include, Pattern exclude,
                         int shard, int shards) {
        if (shard < 0 || shard >= shards) {
            throw new IllegalArgumentException("Shard " + shard + " of " + shards);
        }
        this.listPrefix = sourcePrefix.isEmpty() ? "" : sourcePrefix + "/";
        this.destinationPrefix = destinationPrefix;
        this.include = include;
        this.exclude = exclude;
        this.shard = shard;
        this.shards = shards;
    }

    /** The prefix to list: the source prefix and a slash, so that "data" does not also list "data2/". */
    public String listPrefix() {
        return listPrefix;
    }

    /** What to do with a listed key: null when it is not this task's, else its destination or why it is refused. */
    public Selected select(String sourceKey) {
        if (!sourceKey.startsWith(listPrefix) || shardOf(sourceKey, shards) != shard) {
            return null;
        }
        String relative = sourceKey.substring(listPrefix.length());
        if ((include != null && !include.matcher(relative).matches())
                || (exclude != null && exclude.matcher(relative).matches())) {
            return null;
        }
        String destinationKey = destinationPrefix.isEmpty() ? relative : destinationPrefix + "/" + relative;
        return new Selected(sourceKey, destinationKey, rejection(relative, destinationKey));
    }

    private static String rejection(String relative, String destinationKey) {
        for (String segment : relative.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return "its key has a '" + segment + "' path segment, which clients and stores normalise away: "
                        + "the copy would not land at " + destinationKey + " and could escape the destination prefix";
            }
        }
        if (destinationKey.isEmpty()) {
            return "its destination key would be empty";
        }
        int bytes = destinationKey.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            return "its destination key would be " + bytes + " UTF-8 bytes long; S3 allows " + MAX_KEY_BYTES;
        }
        return null;
    }

    /** The shard of a key: a stable hash (CRC-32 of its UTF-8 bytes) modulo the number of shards. */
    static int shardOf(String key, int shards) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % shards);
    }

    /**
     * A key this task copies.
     *
     * @param sourceKey      the listed key
     * @param destinationKey where it goes
     * @param rejection      why it must not be copied, or null
     */
    public record Selected(String sourceKey, String destinationKey, String rejection) {
    }
}
