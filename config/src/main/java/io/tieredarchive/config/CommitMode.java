package io.tieredarchive.config;

import java.util.Arrays;
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

    /** The mode a config value names, in any case and with surrounding blanks. */
    public static CommitMode of(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    /** Every config value, the default first: what {@code commit.mode}'s validator accepts. */
    static String[] configValues() {
        return Arrays.stream(values()).map(CommitMode::configValue).toArray(String[]::new);
    }
}
