package io.tieredarchive.reliability.crash.integration;

import io.tieredarchive.testing.ConnectWorkerProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rounds of crash and recovery on a {@link CrashingCluster} running one connector: in each, after a seeded pause,
 * one worker is killed with SIGKILL while the work is in flight and a replacement is started at once; the round ends
 * when the survivor alone has made progress and then the connector's tasks all run on live workers again. Progress
 * is whatever the test counts (records archived, records replayed, events); a test adds its own checks of what is in
 * flight at each kill through {@link InFlight}.
 */
final class KillRounds {

    private static final Logger log = LoggerFactory.getLogger(KillRounds.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** Reads the progress of the work; may also consume what it counts (events). */
    interface Progress {
        long read() throws Exception;
    }

    /** Checks, just before a kill, that work is in flight; returns what it saw, for the log. */
    interface InFlight {
        String check(int kill, long progress) throws Exception;
    }

    /**
     * Holds the work back while a replacement boots and the tasks move, so that how much gets done in the rounds
     * does not depend on how slowly the machine boots JVMs; releases it for the pause before a kill and for the
     * takeover by the survivor.
     */
    interface Pacing {
        Pacing NONE = new Pacing() {
            @Override
            public void hold() {
            }

            @Override
            public void release() {
            }
        };

        void hold();

        void release();
    }

    /** One round: the worker killed, the progress at the kill, with the survivor alone, with both again. */
    record Round(int kill, String worker, long atKill, long alone, long after, String inFlight) {
        @Override
        public String toString() {
            return "kill " + kill + " of " + worker + ": progress " + atKill + " at the kill (" + inFlight + "), "
                    + alone + " with the survivor alone, " + after + " once the tasks ran on two workers again";
        }
    }

    private KillRounds() {
    }

    /**
     * Runs {@code kills} rounds; each must see the progress pass the value at the kill by {@code minGain} before
     * the replacement is counted in.
     */
    static List<Round> run(CrashingCluster cluster, String connector, int tasks, int kills, long minGain,
                           Progress progress, InFlight inFlight, Pacing pacing) throws Exception {
        List<Round> rounds = new ArrayList<>();
        for (int kill = 1; kill <= kills; kill++) {
            long pauseUntil = System.nanoTime() + cluster.pauseMs(500, 3_000) * 1_000_000L;
            while (System.nanoTime() < pauseUntil) {
                progress.read();
                Thread.sleep(50);
            }
            long atKill = progress.read();
            String seen = inFlight.check(kill, atKill);
            ConnectWorkerProcess victim = cluster.killOne();
            CompletableFuture<ConnectWorkerProcess> replacement = cluster.startWorkerAsync();
            long alone = awaitAbove(progress, atKill + minGain);
            pacing.hold();
            replacement.join();
            cluster.awaitRunningOnLiveWorkers(connector, tasks, TIMEOUT);
            pacing.release();
            Round round = new Round(kill, victim.workerId(), atKill, alone, progress.read(), seen);
            log.info("{}", round);
            rounds.add(round);
        }
        return rounds;
    }

    /** Waits until the progress passes {@code value}; returns it. */
    static long awaitAbove(Progress progress, long value) throws Exception {
        return awaitAbove(progress, value, TIMEOUT);
    }

    /** Waits until the progress passes {@code value}; returns it. */
    static long awaitAbove(Progress progress, long value, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long now;
        while ((now = progress.read()) <= value) {
            assertTrue(System.nanoTime() < deadline, "no progress past " + value + " within " + timeout + " ("
                    + now + ")");
            Thread.sleep(50);
        }
        return now;
    }
}
