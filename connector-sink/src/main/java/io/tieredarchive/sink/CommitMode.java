package io.tieredarchive.sink;

import java.util.Locale;

/** {@code commit.mode}: which archived records the sink commits to Kafka. */
public enum CommitMode {
    /** Records whose segment is uploaded and verified in S3 (the default). */
    REMOTE,
    /** Records fsynced in a sealed local segment; the segment is still uploaded later. */
    LOCAL;

    /** The config value, {@code remote} or {@code local}. */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    static CommitMode of(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
