package io.tieredarchive.failure;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one backoff of the plugin: doubling, capped, jittered within bounds, started over after a quiet time. */
class BackoffTest {

    private static List<Long> delays(Backoff backoff, int failures) {
        return IntStream.rangeClosed(0, failures).mapToObj(backoff::delayMs).toList();
    }

    @Test
    void doublesFromTheFirstWaitUpToTheLongest() {
        assertEquals(List.of(0L, 1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L),
                delays(Backoff.SINK_WRITE, 7));
        assertEquals(60_000L, Backoff.TIER_UPLOAD.delayMs(1_000), "no overflow after many failures");
    }

    /** The pacing each loop had before it used this class, kept as it was. */
    @Test
    void theConstantsKeepEachLoopsPacing() {
        assertEquals(List.of(0L, 500L, 1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L),
                delays(Backoff.REPLAY_READ, 7), "replay: 500 ms doubling to 30 s");
        assertEquals(List.of(0L, 1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L, 60_000L),
                delays(Backoff.COPY_OBJECT, 7), "copy: 1 s doubling to 1 min");
        assertEquals(List.of(0L, 1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L, 60_000L),
                delays(Backoff.TIER_UPLOAD, 7), "tier: 1 s doubling to 1 min");
        for (int attempt = 1; attempt <= 12; attempt++) {
            long wait = Backoff.MANIFEST_CONFLICT.jitteredDelayMs(attempt);
            assertTrue(wait >= 5 && wait <= 200, "manifest compare-and-set: 5..200 ms, was " + wait);
        }
    }

    @Test
    void jitterStaysWithinItsShareOfTheWait() {
        Backoff jittered = new Backoff(1_000, 8_000, 60_000, 0.25);
        for (int i = 0; i < 1_000; i++) {
            long wait = jittered.jitteredDelayMs(4);
            assertTrue(wait >= 6_000 && wait <= 8_000, "within [wait * 0.75, wait]: " + wait);
        }
        assertEquals(4_000, Backoff.SINK_WRITE.jitteredDelayMs(3), "no jitter: exact");
        assertEquals(0, jittered.jitteredDelayMs(0), "no failure, no wait");
    }

    @Test
    void aTrackerStartsOverAfterTheQuietTimeOrWhenReset() {
        AtomicLong clock = new AtomicLong();
        Backoff.Tracker tracker = new Backoff(100, 10_000, 1_000, 0).tracker(clock::get);
        assertEquals(100, tracker.failed());
        assertEquals(200, tracker.failed());
        tracker.succeeded(); // too soon: the doubling goes on
        assertEquals(400, tracker.failed());
        clock.addAndGet(1_000);
        assertEquals(100, tracker.failed(), "a failure after the quiet time starts over");
        assertEquals(200, tracker.failed());
        clock.addAndGet(1_000);
        tracker.succeeded();
        assertEquals(0, tracker.failures());
        tracker.failed();
        tracker.reset();
        assertEquals(100, tracker.failed(), "reset starts over at once");
    }

    @Test
    void invalidBackoffsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(-1, 10, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(10, 5, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(1, 5, 0, 1.5));
    }
}
