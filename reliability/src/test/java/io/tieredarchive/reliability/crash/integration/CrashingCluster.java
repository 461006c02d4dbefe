package io.tieredarchive.reliability.crash.integration;

import com.fasterxml.jackson.databind.JsonNode;
import io.tieredarchive.testing.ConnectWorkerProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * A Connect cluster of child-JVM workers ({@link ConnectWorkerProcess}) that a test crashes on a seeded schedule:
 * {@link #killOne()} SIGKILLs one live worker chosen by the seed, {@link #startWorkerAsync()} adds a replacement. The seed
 * comes from the system property {@code crash.seed} when set (to replay a failure), else from the clock, and is
 * logged, so that every run says how to repeat it.
 */
final class CrashingCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CrashingCluster.class);

    /** Kills per test: 5 (issue 9), or {@code -Dcrash.kills=N} (more for a soak, fewer on a slow machine). */
    static final int KILLS = Integer.getInteger("crash.kills", 5);

    private final Path workDir;
    private final String bootstrapServers;
    private final String groupId;
    private final Map<String, String> workerProps;
    private final Random random;
    private final long seed;
    private final List<ConnectWorkerProcess> live = new ArrayList<>();
    private final List<ConnectWorkerProcess> all = new ArrayList<>();
    private int started;

    CrashingCluster(Path workDir, String bootstrapServers, String groupId, Map<String, String> workerProps) {
        this.workDir = workDir;
        this.bootstrapServers = bootstrapServers;
        this.groupId = groupId;
        this.workerProps = new HashMap<>(workerProps);
        String fixed = System.getProperty("crash.seed");
        this.seed = fixed == null || fixed.isBlank() ? System.nanoTime() : Long.parseLong(fixed.trim());
        this.random = new Random(seed);
        log.info("{}: crash schedule seed {} (repeat it with -Dcrash.seed={})", groupId, seed, seed);
    }

    long seed() {
        return seed;
    }

    /** A seeded pause in {@code [minMs, maxMs]}, for when to kill next. */
    long pauseMs(long minMs, long maxMs) {
        return minMs + (long) (random.nextDouble() * (maxMs - minMs));
    }

    /**
     * Starts {@code count} more workers of the cluster at once (a JVM takes seconds to boot) and waits until their
     * REST APIs answer.
     */
    void startWorkers(int count) {
        List<CompletableFuture<ConnectWorkerProcess>> starting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            starting.add(startWorkerAsync());
        }
        starting.forEach(CompletableFuture::join);
    }

    /**
     * Starts one more worker of the cluster in the background; it counts as live once its REST API answers, which
     * the returned future tells.
     */
    synchronized CompletableFuture<ConnectWorkerProcess> startWorkerAsync() {
        Path dir = workDir.resolve("worker-" + started++);
        return CompletableFuture.supplyAsync(() -> {
            long began = System.nanoTime();
            ConnectWorkerProcess worker = ConnectWorkerProcess.start(dir, bootstrapServers, groupId, workerProps);
            synchronized (this) {
                live.add(worker);
                all.add(worker);
            }
            log.info("{}: started worker {} (pid {}) in {} ms", groupId, worker.workerId(), worker.pid(),
                    (System.nanoTime() - began) / 1_000_000);
            return worker;
        });
    }

    /** SIGKILLs one live worker, chosen by the seed; returns it. */
    synchronized ConnectWorkerProcess killOne() {
        ConnectWorkerProcess victim = live.remove(random.nextInt(live.size()));
        victim.kill();
        log.info("{}: killed worker {} (pid {}) with SIGKILL", groupId, victim.workerId(), victim.pid());
        return victim;
    }

    /** A live worker, for REST calls. */
    synchronized ConnectWorkerProcess any() {
        return live.get(0);
    }

    /**
     * Waits until the connector and exactly {@code tasks} tasks are RUNNING, each on a live worker: right after a
     * kill, the dead worker's tasks still show RUNNING until the cluster has noticed and moved them. A FAILED task
     * fails the wait at once.
     */
    void awaitRunningOnLiveWorkers(String connector, int tasks, Duration timeout) throws InterruptedException {
        Set<String> liveIds;
        synchronized (this) {
            liveIds = live.stream().map(ConnectWorkerProcess::workerId).collect(Collectors.toSet());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "(no status)";
        while (System.nanoTime() < deadline) {
            try {
                JsonNode status = any().get("/connectors/" + connector + "/status");
                last = status.toString();
                int running = ConnectWorkerProcess.runningTasks(status, connector, liveIds::contains);
                if ("RUNNING".equals(status.path("connector").path("state").asText())
                        && liveIds.contains(status.path("connector").path("worker_id").asText())
                        && running == tasks && status.path("tasks").size() == tasks) {
                    return;
                }
            } catch (IllegalStateException | UncheckedIOException notYet) {
                last = notYet.getMessage();
            }
            Thread.sleep(200);
        }
        throw new AssertionError(connector + " did not run " + tasks + " tasks on the live workers " + liveIds
                + " within " + timeout + "; last status: " + last + "; logs under " + workDir);
    }

    /** How often {@code text} occurs in the logs of every worker this cluster ever started. */
    synchronized int countInLogs(String text) {
        int count = 0;
        for (ConnectWorkerProcess worker : all) {
            try {
                String logText = Files.readString(worker.logFile());
                for (int i = logText.indexOf(text); i >= 0; i = logText.indexOf(text, i + 1)) {
                    count++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return count;
    }

    Path workDir() {
        return workDir;
    }

    @Override
    public synchronized void close() {
        live.forEach(ConnectWorkerProcess::close);
        live.clear();
    }

    /** A directory under {@code target/} for a test's worker logs, kept after the run for a post-mortem. */
    static Path logsDir(String test) {
        try {
            return Files.createDirectories(Path.of("target", "crash-workers", test + "-" + System.currentTimeMillis()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
