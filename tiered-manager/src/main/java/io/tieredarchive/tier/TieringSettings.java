package io.tieredarchive.tier;

import io.tieredarchive.config.LocalTierConfig;
import io.tieredarchive.failure.Backoff;
import org.apache.kafka.common.config.AbstractConfig;

import java.nio.file.Path;

/**
 * How a {@link TieringService} behaves: the {@code local.dir}, {@code tier.upload.delay.ms},
 * {@code local.retention.ms} and {@code local.retention.bytes} keys, plus pacing that has no key.
 *
 * @param localDir            where the sink seals segments
 * @param uploadDelayMs       a sealed segment waits this long before its upload
 * @param localRetentionMs    a tiered segment's local copy is deleted this long after sealing; -1: never by age
 * @param localRetentionBytes above this many sealed bytes, tiered local copies are deleted oldest first; -1: no cap
 * @param scanIntervalMs      time between two passes over {@code local.dir}
 * @param uploadThreads       partitions uploaded at once
 * @param minBackoffMs        first wait after a failed upload of a partition, doubled per failure
 *                            ({@link Backoff#TIER_UPLOAD} by default)
 * @param maxBackoffMs        longest wait between two attempts
 * @param manifestMaxDelayMs  an uploaded segment waits at most this long to share a manifest update
 *                            ({@code tier.manifest.max.delay.ms}; {@link ManifestRegistrations})
 */
public record TieringSettings(Path localDir, long uploadDelayMs, long localRetentionMs, long localRetentionBytes,
                              long scanIntervalMs, int uploadThreads, long minBackoffMs, long maxBackoffMs,
                              long manifestMaxDelayMs) {

    public static final long DEFAULT_SCAN_INTERVAL_MS = 1_000L;
    /**
     * Partitions uploaded at once. Each waits mostly for the store (a segment is a chain: its files, then its
     * marker, then the manifest), so more partitions overlap those waits; the backend starts at most
     * {@code s3.max.concurrency} requests that send bytes at once, so more threads never crowd the connections.
     */
    public static final int DEFAULT_UPLOAD_THREADS = 8;
    public static final long DEFAULT_MIN_BACKOFF_MS = Backoff.TIER_UPLOAD.initialMs();
    public static final long DEFAULT_MAX_BACKOFF_MS = Backoff.TIER_UPLOAD.maxMs();

    /** Settings with the default {@code tier.manifest.max.delay.ms}. */
    public TieringSettings(Path localDir, long uploadDelayMs, long localRetentionMs, long localRetentionBytes,
                           long scanIntervalMs, int uploadThreads, long minBackoffMs, long maxBackoffMs) {
        this(localDir, uploadDelayMs, localRetentionMs, localRetentionBytes, scanIntervalMs, uploadThreads,
                minBackoffMs, maxBackoffMs, LocalTierConfig.TIER_MANIFEST_MAX_DELAY_MS_DEFAULT);
    }

    /** The settings of a config that defines the {@link LocalTierConfig} keys, default pacing. */
    public static TieringSettings from(AbstractConfig config) {
        return new TieringSettings(Path.of(config.getString(LocalTierConfig.LOCAL_DIR_CONFIG).trim()),
                config.getLong(LocalTierConfig.TIER_UPLOAD_DELAY_MS_CONFIG),
                config.getLong(LocalTierConfig.LOCAL_RETENTION_MS_CONFIG),
                config.getLong(LocalTierConfig.LOCAL_RETENTION_BYTES_CONFIG),
                DEFAULT_SCAN_INTERVAL_MS, DEFAULT_UPLOAD_THREADS, DEFAULT_MIN_BACKOFF_MS, DEFAULT_MAX_BACKOFF_MS,
                config.getLong(LocalTierConfig.TIER_MANIFEST_MAX_DELAY_MS_CONFIG));
    }

    /** The wait before attempt {@code failures + 1}: doubling from the minimum, capped. */
    long backoffMs(int failures) {
        return new Backoff(minBackoffMs, maxBackoffMs, Backoff.TIER_UPLOAD.resetAfterMs(), 0.0).delayMs(failures);
    }
}
