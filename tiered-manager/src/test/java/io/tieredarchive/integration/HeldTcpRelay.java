package io.tieredarchive.integration;

import io.tieredarchive.testing.TcpRelay;

import java.net.Socket;

/**
 * A {@link TcpRelay} whose responses can be held back: while {@link #hold() held}, no byte flows from the server
 * to a client (requests still flow), so a client's call is in flight, deterministically, until {@link #release()}.
 */
final class HeldTcpRelay extends TcpRelay {

    private boolean held;

    HeldTcpRelay(int targetPort) {
        super(targetPort);
    }

    synchronized void hold() {
        held = true;
    }

    synchronized void release() {
        held = false;
        notifyAll();
    }

    private synchronized void awaitReleased() throws InterruptedException {
        while (held) {
            wait();
        }
    }

    @Override
    protected void relay(Socket client, Socket target) {
        daemon(() -> pump(client, target, bytes -> { }), "held-relay-requests");
        daemon(() -> pump(target, client, bytes -> awaitReleased()), "held-relay-responses");
    }
}
