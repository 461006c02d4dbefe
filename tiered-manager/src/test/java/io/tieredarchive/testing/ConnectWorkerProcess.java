package io.tieredarchive.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Kafka Connect worker in distributed mode, run as a child JVM ({@code ConnectDistributed}) so that a test can
 * kill it with SIGKILL ({@link #kill()}) — which an in-process {@code EmbeddedConnectCluster} cannot do — and start
 * another one in its place. The child's classpath is this JVM's {@code java.class.path}, so it finds the plugin
 * under test through its {@code META-INF/services} files ({@code plugin.discovery=service_load}). The broker is
 * the test's (e.g. an {@code EmbeddedKafkaCluster}); workers that share a {@code group.id} form one Connect
 * cluster. The test talks to the worker over REST with {@code java.net.http}, so this class needs no Connect class
 * at compile time. Output goes to {@link #logFile()}.
 */
public final class ConnectWorkerProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path workDir;
    private final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ConnectWorkerProcess(Path workDir, int port, Process process) {
        this.workDir = workDir;
        this.port = port;
        this.process = process;
    }

    /**
     * The worker properties a test cluster needs: internal topics with one replica, byte-array converters, quick
     * failure detection (a killed worker's tasks move within seconds), REST on {@code port} on the loopback.
     * {@code overrides} replace or add keys.
     */
    public static Properties workerProperties(String bootstrapServers, String groupId, int port,
                                              Map<String, String> overrides) {
        Properties props = new Properties();
        props.setProperty("bootstrap.servers", bootstrapServers);
        props.setProperty("group.id", groupId);
        props.setProperty("config.storage.topic", groupId + "-configs");
        props.setProperty("offset.storage.topic", groupId + "-offsets");
        props.setProperty("status.storage.topic", groupId + "-status");
        props.setProperty("config.storage.replication.factor", "1");
        props.setProperty("offset.storage.replication.factor", "1");
        props.setProperty("status.storage.replication.factor", "1");
        props.setProperty("offset.storage.partitions", "1");
        props.setProperty("status.storage.partitions", "1");
        props.setProperty("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        props.setProperty("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        props.setProperty("header.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        props.setProperty("listeners", "http://127.0.0.1:" + port);
        props.setProperty("rest.advertised.host.name", "127.0.0.1");
        props.setProperty("plugin.discovery", "service_load");
        props.setProperty("offset.flush.interval.ms", "1000");
        props.setProperty("session.timeout.ms", "6000");
        props.setProperty("heartbeat.interval.ms", "1000");
        props.setProperty("scheduled.rebalance.max.delay.ms", "0");
        props.setProperty("consumer.session.timeout.ms", "6000");
        props.setProperty("consumer.heartbeat.interval.ms", "1000");
        props.putAll(overrides);
        if ("consumer".equalsIgnoreCase(props.getProperty("consumer.group.protocol"))) {
            // KIP-848: the broker sets sink consumers' session and heartbeat (group.consumer.*); the client refuses them
            props.remove("consumer.session.timeout.ms");
            props.remove("consumer.heartbeat.interval.ms");
        }
        return props;
    }

    /** Starts a worker with {@link #workerProperties} and waits until its REST API says it is healthy. */
    public static ConnectWorkerProcess start(Path workDir, String bootstrapServers, String groupId,
                                             Map<String, String> overrides) {
        return start(workDir, System.getProperty("java.class.path"), List.of(), bootstrapServers, groupId,
                overrides);
    }

    /**
     * As {@link #start(Path, String, String, Map)}, for a worker of another Kafka version: {@code classPath} is its
     * jars (the plugin then comes from {@code plugin.path}, in {@code overrides}), {@code jvmOptions} go before the
     * main class.
     */
    public static ConnectWorkerProcess start(Path workDir, String classPath, List<String> jvmOptions,
                                             String bootstrapServers, String groupId, Map<String, String> overrides) {
        try {
            Files.createDirectories(workDir);
            int port = freePort();
            Path propsFile = workDir.resolve("worker.properties");
            try (var out = Files.newOutputStream(propsFile)) {
                workerProperties(bootstrapServers, groupId, port, overrides).store(out, "Connect worker for tests");
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-Xmx768m"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", classPath, "org.apache.kafka.connect.cli.ConnectDistributed",
                    propsFile.toString()));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(ChildLogs.file(workDir, "worker.log").toFile()))
                    .start();
            ConnectWorkerProcess worker = new ConnectWorkerProcess(workDir, port, process);
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            worker.awaitHealthy(Duration.ofSeconds(90));
            return worker;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start a Connect worker in " + workDir, e);
        }
    }

    /** {@code http://127.0.0.1:port} */
    public String restUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Path logFile() {
        return ChildLogs.file(workDir, "worker.log");
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: the worker dies at once, without closing tasks, committing offsets or leaving its group. */
    public void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /** SIGTERM: Connect's shutdown hook stops the worker cleanly. */
    public void stop() {
        process.destroy();
        awaitExit();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    /** Creates or updates connector {@code name}: {@code PUT /connectors/{name}/config}. */
    public void putConnector(String name, Map<String, String> config) {
        try {
            String body = JSON.writeValueAsString(new LinkedHashMap<>(config));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/connectors/" + name + "/config"))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
                if (response.statusCode() / 100 == 2) {
                    return;
                }
                // 409: a rebalance is in progress; the worker says to try again.
                if (response.statusCode() != 409 || System.nanoTime() > deadline) {
                    throw new IllegalStateException("PUT connector " + name + " failed: " + response.statusCode()
                            + " " + response.body());
                }
                sleep(500);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The status of {@code GET path}. */
    public int statusOf(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build()).statusCode();
    }

    /** {@code GET path} as JSON; throws unless the status is 2xx. */
    public JsonNode get(String path) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).GET().build());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("GET " + path + ": " + response.statusCode() + " " + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the connector and exactly {@code tasks} tasks are RUNNING on the cluster this worker belongs to.
     * A FAILED task fails the wait at once, with its trace.
     */
    public void awaitRunning(String connector, int tasks, Duration timeout) {
        awaitRunning(connector, tasks, timeout, false);
    }

    /**
     * Like {@link #awaitRunning(String, int, Duration)}, and every task runs on this worker: after another worker
     * was killed, its tasks' last status still says RUNNING until this worker has taken them over.
     */
    public void awaitRunningHere(String connector, int tasks, Duration timeout) {
        awaitRunning(connector, tasks, timeout, true);
    }

    /** The worker id Connect reports in statuses: the advertised {@code host:port}. */
    public String workerId() {
        return "127.0.0.1:" + port;
    }

    /**
     * The tasks RUNNING in a connector's {@code status} on a worker {@code placed} accepts (by worker id); a FAILED
     * task fails at once, with its trace.
     */
    public static int runningTasks(JsonNode status, String connector, Predicate<String> placed) {
        int running = 0;
        for (JsonNode task : status.path("tasks")) {
            if ("FAILED".equals(task.path("state").asText())) {
                throw new AssertionError("Task " + task.path("id") + " of " + connector + " failed: "
                        + task.path("trace").asText());
            }
            if ("RUNNING".equals(task.path("state").asText()) && placed.test(task.path("worker_id").asText())) {
                running++;
            }
        }
        return running;
    }

    private void awaitRunning(String connector, int tasks, Duration timeout, boolean here) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "(no status)";
        while (System.nanoTime() < deadline) {
            try {
                JsonNode status = get("/connectors/" + connector + "/status");
                last = status.toString();
                int running = runningTasks(status, connector, worker -> !here || workerId().equals(worker));
                if ("RUNNING".equals(status.path("connector").path("state").asText()) && running == tasks
                        && status.path("tasks").size() == tasks) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                last = notYet.getMessage();
            }
            sleep(250);
        }
        throw new AssertionError("Connector " + connector + " did not reach RUNNING with " + tasks
                + " tasks within " + timeout + "; last status: " + last + "; worker log: " + logFile());
    }

    private void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The Connect worker exited with " + process.exitValue()
                        + "; see " + logFile());
            }
            try {
                int health = status("/health");
                // Connect before 3.9 has no /health (KIP-1017): its REST API answering /connectors will do.
                if (health == 200 || (health == 404 && status("/connectors") == 200)) {
                    return;
                }
            } catch (IOException notYet) {
                // the REST server is not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the Connect worker", e);
            }
            sleep(250);
        }
        kill();
        throw new IllegalStateException("The Connect worker was not healthy within " + timeout + "; see "
                + logFile());
    }

    private int status(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Request " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: " + request.uri(), e);
        }
    }

    private URI uri(String path) {
        return URI.create(restUrl() + path);
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
