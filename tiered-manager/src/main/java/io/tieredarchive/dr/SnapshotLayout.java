package io.tieredarchive.dr;

import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.RemoteLayout;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Where the restore snapshots of an incarnation sit in the bucket: next to its partition folders, in folders whose
 * names are not partition numbers (so every reader of partitions passes them by), each object written once
 * ({@code If-None-Match: *}) and never rewritten:
 * <pre>
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;incarnation&gt;/groups/&lt;yyyy-MM-dd&gt;/&lt;stamp&gt;-&lt;writer&gt;.json   consumer group offsets (GroupOffsetsSnapshot)
 * &lt;s3.prefix&gt;/&lt;topic&gt;/&lt;incarnation&gt;/configs/&lt;stamp&gt;-&lt;writer&gt;.json              topic configuration (TopicConfigSnapshot)
 * </pre>
 * {@code <stamp>} is the snapshot time in UTC, {@code yyyyMMdd'T'HHmmss.SSS'Z'} (20 characters, e.g.
 * {@code 20260131T120000.000Z}): names sort by time, and one day of group snapshots is one folder, so finding the
 * snapshot at a given time lists one day, not the whole history. {@code <writer>} is the sink connector's name,
 * encoded like a segment's writer id ({@link RemoteLayout#encodeWriterId}), so two connectors archiving one topic
 * never write the same key. Only identified incarnations have snapshots (a legacy archive predates them).
 */
public final class SnapshotLayout {

    public static final String GROUPS_FOLDER = "groups";
    public static final String CONFIGS_FOLDER = "configs";
    private static final String SUFFIX = ".json";
    private static final int STAMP_LENGTH = 20;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final RemoteLayout layout;

    public SnapshotLayout(RemoteLayout layout) {
        this.layout = layout;
    }

    /** {@code <incarnation folder>/groups/}. */
    public String groupsPrefix(String topic, Incarnation incarnation) {
        return folder(topic, incarnation, GROUPS_FOLDER);
    }

    /** {@code <incarnation folder>/groups/<yyyy-MM-dd>/}: the group snapshots of one UTC day. */
    public String groupsDayPrefix(String topic, Incarnation incarnation, String day) {
        return groupsPrefix(topic, incarnation) + day + "/";
    }

    /** {@code <incarnation folder>/configs/}. */
    public String configsPrefix(String topic, Incarnation incarnation) {
        return folder(topic, incarnation, CONFIGS_FOLDER);
    }

    /** The key of the group snapshot of {@code topic}'s incarnation taken at {@code atMs} by {@code writer}. */
    public String groupsKey(String topic, Incarnation incarnation, long atMs, String writer) {
        return groupsDayPrefix(topic, incarnation, day(atMs)) + name(atMs, writer);
    }

    /** The key of the configuration snapshot taken at {@code atMs} by {@code writer}. */
    public String configKey(String topic, Incarnation incarnation, long atMs, String writer) {
        return configsPrefix(topic, incarnation) + name(atMs, writer);
    }

    /** {@code yyyy-MM-dd} (UTC) of {@code atMs}: the day folder of a group snapshot. */
    public static String day(long atMs) {
        return DAY.format(Instant.ofEpochMilli(atMs));
    }

    /** {@code <stamp>-<writer>.json}. */
    static String name(long atMs, String writer) {
        return STAMP.format(Instant.ofEpochMilli(atMs)) + "-" + RemoteLayout.encodeWriterId(writer) + SUFFIX;
    }

    /** The snapshot time a name (the key after its folder) carries; empty when it is not a snapshot's name. */
    public static Optional<Long> timeOf(String name) {
        if (name.length() <= STAMP_LENGTH + 1 + SUFFIX.length() || name.charAt(STAMP_LENGTH) != '-'
                || !name.endsWith(SUFFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.from(STAMP.parse(name.substring(0, STAMP_LENGTH))).toEpochMilli());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private String folder(String topic, Incarnation incarnation, String name) {
        if (incarnation.isLegacy()) {
            throw new IllegalArgumentException("The legacy incarnation of " + topic + " has no snapshots");
        }
        return layout.incarnationPrefix(topic, incarnation) + name + "/";
    }
}
