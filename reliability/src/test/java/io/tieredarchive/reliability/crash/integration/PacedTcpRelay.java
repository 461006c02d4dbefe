package io.tieredarchive.reliability.crash.integration;

import io.tieredarchive.testing.TcpRelay;

import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link TcpRelay} whose responses, over all connections together, flow at most {@link #pace(long)} bytes a
 * second, a rate the test can change while it runs: slow while workers are killed, so the work is still in flight
 * at every kill however slow the machine is, then unlimited ({@link #unlimited()}) to finish. Requests flow freely.
 */
final class PacedTcpRelay extends TcpRelay implements KillRounds.Pacing {

    /** The pace while held: a trickle, so connections stay alive and nothing times out. */
    private static final long HELD_BYTES_PER_SECOND = 8 * 1024;

    private final AtomicLong bytesToClients = new AtomicLong();
    private final long normalBytesPerSecond;
    private volatile long bytesPerSecond;
    /** When the bytes handed out so far have all gone at the current pace. */
    private long paidUntilNanos;

    PacedTcpRelay(int targetPort, long bytesPerSecond) {
        super(targetPort);
        this.bytesPerSecond = bytesPerSecond;
        this.normalBytesPerSecond = bytesPerSecond;
    }

    /** Slows responses to a trickle. */
    @Override
    public void hold() {
        pace(HELD_BYTES_PER_SECOND);
    }

    /** Back to the pace given at construction. */
    @Override
    public void release() {
        pace(normalBytesPerSecond);
    }

    /** Sets the pace of all responses; takes effect for the next chunk of each connection. */
    void pace(long newBytesPerSecond) {
        this.bytesPerSecond = newBytesPerSecond;
    }

    void unlimited() {
        pace(0);
    }

    /** Bytes relayed from the target back to clients so far. */
    long bytesToClients() {
        return bytesToClients.get();
    }

    @Override
    protected void relay(Socket client, Socket target) {
        daemon(() -> pump(client, target, n -> { }), "paced-relay-requests");
        daemon(() -> pump(target, client, n -> {
            waitTurn(n);
            bytesToClients.addAndGet(n);
        }), "paced-relay-responses");
    }

    /** Sleeps until {@code n} more bytes fit the pace of all connections together. */
    private void waitTurn(int n) throws InterruptedException {
        long rate = bytesPerSecond;
        if (rate <= 0) {
            return;
        }
        long waitNanos;
        synchronized (this) {
            long now = System.nanoTime();
            paidUntilNanos = Math.max(paidUntilNanos, now) + n * 1_000_000_000L / rate;
            waitNanos = paidUntilNanos - now;
        }
        Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
    }
}
