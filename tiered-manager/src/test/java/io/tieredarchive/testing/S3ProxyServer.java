package io.tieredarchive.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 server for tests: S3Proxy on the local file system, run as a child JVM ({@code java -jar}) so that its
 * bundled libraries never share a classpath with the Connect worker. The jar comes from Maven Central; the build
 * copies it to {@code target/s3proxy/s3proxy.jar} and passes its path in the {@code s3proxy.jar} system property.
 *
 * <p>{@link #stop()} and {@link #start()} may be called again on the same instance: the data directory and the
 * port survive, so a test can take the server away and bring it back.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "test-access-key";
    public static final String SECRET_KEY = "test-secret-key-do-not-log";

    private final Path dataDir;
    private final int port;
    private String accessKey;
    private String secretKey;
    private boolean authenticate = true;
    private Process process;

    public S3ProxyServer(Path dataDir) {
        this(dataDir, ACCESS_KEY, SECRET_KEY);
    }

    public S3ProxyServer(Path dataDir, String accessKey, String secretKey) {
        this.dataDir = dataDir;
        this.port = freePort();
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** Starts a server with a fresh data directory under {@code parent}. */
    public static S3ProxyServer startIn(Path parent) {
        try {
            S3ProxyServer server = new S3ProxyServer(Files.createTempDirectory(parent, "s3proxy"));
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a server with a fresh data directory under {@code parent} that does not check request signatures, so
     * that a relay may drop signed headers (to play a store that ignores them). Clients still sign as usual.
     */
    public static S3ProxyServer startWithoutAuthentication(Path parent) {
        try {
            S3ProxyServer server = new S3ProxyServer(Files.createTempDirectory(parent, "s3proxy"));
            server.authenticate = false;
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            Path blobs = Files.createDirectories(dataDir.resolve("blobs"));
            Properties props = new Properties();
            props.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
            props.setProperty("s3proxy.authorization", authenticate ? "aws-v2-or-v4" : "none");
            props.setProperty("s3proxy.identity", accessKey);
            props.setProperty("s3proxy.credential", secretKey);
            props.setProperty("jclouds.provider", "filesystem");
            props.setProperty("jclouds.filesystem.basedir", blobs.toString());
            Path propsFile = dataDir.resolve("s3proxy.properties");
            try (var out = Files.newOutputStream(propsFile)) {
                props.store(out, "S3Proxy for tests");
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(List.of(java, "-Xmx512m", "-jar", jar().toString(),
                    "--properties", propsFile.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(logFile().toFile())
                    .start();
            awaitPort(Duration.ofSeconds(60));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start S3Proxy", e);
        }
    }

    /** Kills the server (SIGKILL): in-flight requests fail as they would when a real store goes away. */
    public synchronized void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Restarts the server with other credentials, on the same port and data: a key rotation at the store, after
     * which the old keys are refused.
     */
    public synchronized void restartWith(String newAccessKey, String newSecretKey) {
        stop();
        accessKey = newAccessKey;
        secretKey = newSecretKey;
        start();
    }

    /** {@code http://127.0.0.1:port} */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** Where the server keeps the objects of {@code bucket}: one file per object. */
    public Path bucketDir(String bucket) {
        return dataDir.resolve("blobs").resolve(bucket);
    }

    public Path logFile() {
        return ChildLogs.file(dataDir, "s3proxy.log");
    }

    private static Path jar() {
        String path = System.getProperty("s3proxy.jar");
        if (path == null || !Files.isRegularFile(Path.of(path))) {
            throw new IllegalStateException("System property s3proxy.jar does not name the S3Proxy jar (" + path
                    + "); run the tests through Maven, which copies it to target/s3proxy/s3proxy.jar");
        }
        return Path.of(path);
    }

    private void awaitPort(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("S3Proxy exited with " + process.exitValue() + "; see " + logFile() + ":\n"
                        + Files.readString(logFile()));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("Interrupted while waiting for S3Proxy", e);
                }
            }
        }
        throw new IOException("S3Proxy did not open port " + port + " within " + timeout + "; see " + logFile());
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
