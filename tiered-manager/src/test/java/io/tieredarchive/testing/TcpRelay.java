package io.tieredarchive.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on the loopback address in front of another local port (an {@link S3ProxyServer}), for tests that
 * need to get between a client and a server: slow it down ({@link ThrottledTcpRelay}) or answer some requests
 * itself. For each client connection it opens one to the target and hands both sockets to {@link #relay}.
 * Request signatures stay valid when the bytes are forwarded unchanged: S3Proxy checks the Host header the
 * client signed.
 */
public abstract class TcpRelay implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    protected TcpRelay(int targetPort) {
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.targetPort = targetPort;
        daemon(this::acceptLoop, "relay-accept-" + server.getLocalPort());
    }

    /** {@code http://127.0.0.1:port} of the relay. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Carries one connection: typically starts threads that pump bytes both ways, closing both sockets at the end. */
    protected abstract void relay(Socket client, Socket target);

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket();
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                sockets.add(client);
                sockets.add(target);
                relay(client, target);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("relay: " + e);
                }
            }
        }
    }

    /** Called before each chunk a {@link #pump} forwards; may wait (an interrupt ends the pump). */
    @FunctionalInterface
    protected interface ChunkGate {
        void beforeChunk(int bytes) throws InterruptedException;
    }

    /** Forwards bytes from {@code from} to {@code to}, passing each chunk through {@code gate}; closes both at the end. */
    protected static void pump(Socket from, Socket to, ChunkGate gate) {
        byte[] buffer = new byte[8 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                gate.beforeChunk(n);
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // One side closed: close both.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Starts a daemon thread. */
    protected static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    protected static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        sockets.forEach(TcpRelay::closeQuietly);
    }
}
