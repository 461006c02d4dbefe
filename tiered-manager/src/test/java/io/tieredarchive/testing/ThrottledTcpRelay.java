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
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on the loopback address that forwards to another local port and slows the bytes flowing back to the
 * client to {@code bytesPerSecond}. Put in front of an {@link S3ProxyServer} it makes downloads slow enough for a
 * test to act while a copy is in flight (delete the object, restart a worker). Request signatures stay valid: the
 * relay forwards bytes unchanged, and S3Proxy checks the Host header the client signed.
 */
public final class ThrottledTcpRelay implements AutoCloseable {

    private static final int CHUNK = 8 * 1024;

    private final ServerSocket server;
    private final int targetPort;
    private final long bytesPerSecond;
    private final AtomicLong bytesToClient = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public ThrottledTcpRelay(int targetPort, long bytesPerSecond) {
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.targetPort = targetPort;
        this.bytesPerSecond = bytesPerSecond;
        this.acceptor = new Thread(this::acceptLoop, "relay-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@code http://127.0.0.1:port} of the relay. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Bytes relayed from the target back to clients so far. */
    public long bytesToClient() {
        return bytesToClient.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket();
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                sockets.add(client);
                sockets.add(target);
                pump(client, target, false);
                pump(target, client, true);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("relay: " + e);
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean throttled) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[CHUNK];
            long start = System.nanoTime();
            long sent = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                    if (throttled) {
                        sent += n;
                        bytesToClient.addAndGet(n);
                        long dueNanos = sent * 1_000_000_000L / bytesPerSecond;
                        long aheadMs = (dueNanos - (System.nanoTime() - start)) / 1_000_000L;
                        if (aheadMs > 0) {
                            Thread.sleep(aheadMs);
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                // One side closed: close both.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closeQuietly(server);
        sockets.forEach(ThrottledTcpRelay::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
