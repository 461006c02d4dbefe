package io.tieredarchive.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link TcpRelay} that slows the bytes flowing back to the client to {@code bytesPerSecond}. Put in front of an
 * {@link S3ProxyServer} it makes downloads slow enough for a test to act while a copy is in flight (delete the
 * object, restart a worker).
 */
public final class ThrottledTcpRelay extends TcpRelay {

    private static final int CHUNK = 8 * 1024;

    private final long bytesPerSecond;
    private final AtomicLong bytesToClient = new AtomicLong();

    public ThrottledTcpRelay(int targetPort, long bytesPerSecond) {
        super(targetPort);
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Bytes relayed from the target back to clients so far. */
    public long bytesToClient() {
        return bytesToClient.get();
    }

    @Override
    protected void relay(Socket client, Socket target) {
        daemon(() -> pump(client, target, false), "relay-requests");
        daemon(() -> pump(target, client, true), "relay-responses");
    }

    private void pump(Socket from, Socket to, boolean throttled) {
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
                    long aheadMs = (sent * 1_000_000_000L / bytesPerSecond - (System.nanoTime() - start)) / 1_000_000L;
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
    }
}
