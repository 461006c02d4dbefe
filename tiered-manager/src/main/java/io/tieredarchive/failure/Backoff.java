package io.tieredarchive.failure;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * How long to wait before trying again after a failure: {@code initialMs}, doubling with each failure in a row up
 * to {@code maxMs}, each wait spread by up to {@code jitter} of itself (so that many tasks do not retry in step);
 * after {@code resetAfterMs} without a failure the next one starts from {@code initialMs} again. Every retry loop of
 * the plugin takes its pacing from one of the constants here, so that "how long do we wait" has one answer.
 *
 * @param initialMs    the first wait
 * @param maxMs        the longest wait
 * @param resetAfterMs quiet time after which the doubling starts over
 * @param jitter       0 for exact waits, up to 1: each wait is drawn from {@code [wait * (1 - jitter), wait]}
 */
public record Backoff(long initialMs, long maxMs, long resetAfterMs, double jitter) {

    /** The sink task after a write failure (full disk, I/O error) or when S3/Kafka cannot tell where to start. */
    public static final Backoff SINK_WRITE = new Backoff(1_000, 30_000, 60_000, 0.0);
    /** The replay task after a transient read failure; a batch read starts it over. */
    public static final Backoff REPLAY_READ = new Backoff(500, 30_000, 60_000, 0.0);
    /** A bucket copy worker after a transient S3 failure of one object (counted per object), and its listing. */
    public static final Backoff COPY_OBJECT = new Backoff(1_000, 60_000, 60_000, 0.0);
    /** The tier after a failed upload of a partition's segments (counted per partition). */
    public static final Backoff TIER_UPLOAD = new Backoff(1_000, 60_000, 60_000, 0.0);
    /** A writer of a manifest that lost a compare-and-set to another writer: short, spread waits, so that writers
     *  that met do not meet again. */
    public static final Backoff MANIFEST_CONFLICT = new Backoff(20, 200, 1_000, 0.75);

    public Backoff {
        if (initialMs < 0 || maxMs < initialMs || resetAfterMs < 0 || jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("Invalid backoff " + initialMs + ".." + maxMs + " ms, reset after "
                    + resetAfterMs + " ms, jitter " + jitter);
        }
    }

    /** The wait before attempt {@code failures + 1}, before jitter: 0 for no failure. */
    public long delayMs(int failures) {
        if (failures <= 0) {
            return 0;
        }
        long wait = initialMs << Math.min(failures - 1, 30);
        return wait <= 0 || wait > maxMs ? maxMs : wait;
    }

    /** {@link #delayMs} with this backoff's jitter applied: drawn from {@code [wait * (1 - jitter), wait]}. */
    public long jitteredDelayMs(int failures) {
        long wait = delayMs(failures);
        if (jitter == 0 || wait == 0) {
            return wait;
        }
        long spread = (long) (wait * jitter);
        return wait - (spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(spread + 1));
    }

    /** Sleeps {@link #jitteredDelayMs}{@code (failures)}: for a loop that retries on its own thread. */
    public void sleep(int failures) throws InterruptedException {
        long wait = jitteredDelayMs(failures);
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    /** A counter of failures in a row, for one retry loop. */
    public Tracker tracker(LongSupplier clock) {
        return new Tracker(this, clock);
    }

    /** Failures in a row of one retry loop, with the time of the last; not thread-safe. */
    public static final class Tracker {
        private final Backoff backoff;
        private final LongSupplier clock;
        private int failures;
        private long lastFailureMs;

        private Tracker(Backoff backoff, LongSupplier clock) {
            this.backoff = backoff;
            this.clock = clock;
        }

        /** Records a failure; returns how long to wait before the next attempt. */
        public long failed() {
            long now = clock.getAsLong();
            if (failures > 0 && now - lastFailureMs >= backoff.resetAfterMs()) {
                failures = 0;
            }
            failures++;
            lastFailureMs = now;
            return backoff.jitteredDelayMs(failures);
        }

        /** Records a success: once {@code resetAfterMs} have passed since the last failure, the doubling starts over. */
        public void succeeded() {
            if (failures > 0 && clock.getAsLong() - lastFailureMs >= backoff.resetAfterMs()) {
                failures = 0;
            }
        }

        /** Starts over now. */
        public void reset() {
            failures = 0;
        }

        /** Failures in a row so far. */
        public int failures() {
            return failures;
        }
    }
}
