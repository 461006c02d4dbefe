package io.tieredarchive.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * A {@link TcpRelay} that reads the HTTP/1.1 requests a client sends (request line, headers, a body framed by
 * {@code Content-Length}) and can act on each before passing it on: record it, drop headers, flip one byte of its
 * body (a body corrupted in flight), or answer it itself with a {@code 400 InvalidArgument} (a store that refuses
 * a header). Responses flow back unchanged. Dropping a signed header breaks the request's signature: do it only
 * in front of a server that does not check signatures ({@link S3ProxyServer#startWithoutAuthentication}).
 */
public final class HttpRequestRelay extends TcpRelay {

    /** One request as the client sent it: method, target (path and query) and headers (names lower-case). */
    public record Request(String method, String target, List<String[]> headers) {

        public boolean hasHeader(String name) {
            return headers.stream().anyMatch(h -> h[0].equals(name));
        }

        public String header(String name) {
            return headers.stream().filter(h -> h[0].equals(name)).map(h -> h[1]).findFirst().orElse(null);
        }

        /** The target without its query. */
        public String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }

        @Override
        public String toString() {
            return method + " " + target;
        }
    }

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Predicate<Request> corrupt = r -> false;
    private final AtomicBoolean corrupted = new AtomicBoolean();
    private volatile Set<String> dropHeaders = Set.of();
    private volatile Predicate<Request> refuse = r -> false;
    private final Object holdLock = new Object();
    private Predicate<Request> hold = r -> false;
    private int holdCount;
    private long holdUntilNanos;
    private int held;
    private int mostHeld;

    public HttpRequestRelay(int targetPort) {
        super(targetPort);
    }

    /** Every request relayed or refused so far, in arrival order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public void clearRequests() {
        requests.clear();
    }

    /** Flips one byte in the middle of the body of the next request {@code which} accepts (once). */
    public void corruptNextBody(Predicate<Request> which) {
        corrupted.set(false);
        corrupt = which;
    }

    /** True once a body was corrupted. */
    public boolean corrupted() {
        return corrupted.get();
    }

    /** Removes these headers (lower-case names) from every request. */
    public void dropHeaders(Set<String> names) {
        dropHeaders = Set.copyOf(names);
    }

    /** Answers the requests {@code which} accepts with {@code 400 InvalidArgument}, without passing them on. */
    public void refuse(Predicate<Request> which) {
        refuse = which;
    }

    /**
     * Holds the requests {@code which} accepts before passing them on, until {@code count} of them are held at once
     * (then they all go, and later ones pass), or until {@code atMost} has passed: a client that never has that many
     * in flight is only slowed down, and {@link #mostHeld} tells. Shows how many requests a client sends at once
     * without depending on how fast the server answers.
     */
    public void holdUntilConcurrent(Predicate<Request> which, int count, Duration atMost) {
        synchronized (holdLock) {
            hold = which;
            holdCount = count;
            holdUntilNanos = System.nanoTime() + atMost.toNanos();
            held = 0;
            mostHeld = 0;
        }
    }

    /** The most requests held at once since {@link #holdUntilConcurrent}. */
    public int mostHeld() {
        synchronized (holdLock) {
            return mostHeld;
        }
    }

    private void holdIfAsked(Request request) throws IOException {
        synchronized (holdLock) {
            if (!hold.test(request)) {
                return;
            }
            held++;
            mostHeld = Math.max(mostHeld, held);
            holdLock.notifyAll();
            try {
                long left;
                while (mostHeld < holdCount && (left = holdUntilNanos - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(holdLock, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while holding " + request, e);
            } finally {
                held--;
            }
        }
    }

    @Override
    protected void relay(Socket client, Socket target) {
        daemon(() -> pumpRequests(client, target), "relay-requests");
        daemon(() -> pumpResponses(target, client), "relay-responses");
    }

    private void pumpRequests(Socket client, Socket target) {
        try (InputStream in = new BufferedInputStream(client.getInputStream());
             OutputStream out = target.getOutputStream()) {
            String head;
            while ((head = readHead(in)) != null) {
                Request request = parse(head);
                requests.add(request);
                if (refuse.test(request)) {
                    if (!"100-continue".equalsIgnoreCase(request.header("expect"))) {
                        copyBody(in, OutputStream.nullOutputStream(), contentLength(request), -1);
                    }
                    answerInvalidArgument(client, request);
                    return;
                }
                holdIfAsked(request);
                out.write(format(request).getBytes(StandardCharsets.ISO_8859_1));
                long bodyLength = contentLength(request);
                boolean flip = bodyLength > 0 && !corrupted.get() && corrupt.test(request)
                        && corrupted.compareAndSet(false, true);
                copyBody(in, out, bodyLength, flip ? bodyLength / 2 : -1);
                out.flush();
            }
        } catch (IOException e) {
            // One side closed: close both.
        } finally {
            closeQuietly(client);
            closeQuietly(target);
        }
    }

    private static long contentLength(Request request) {
        if (request.hasHeader("transfer-encoding")) {
            throw new IllegalStateException("chunked request bodies are not supported: " + request);
        }
        String length = request.header("content-length");
        return length == null ? 0 : Long.parseLong(length);
    }

    private static void pumpResponses(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // One side closed: close both.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** The request line and headers up to the empty line, or null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private Request parse(String head) {
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                if (!dropHeaders.contains(name)) {
                    headers.add(new String[] {name, lines[i].substring(colon + 1).trim()});
                }
            }
        }
        return new Request(requestLine[0], requestLine[1], headers);
    }

    private static String format(Request request) {
        StringBuilder sb = new StringBuilder(request.method()).append(' ').append(request.target())
                .append(" HTTP/1.1\r\n");
        for (String[] h : request.headers()) {
            sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /** Copies {@code length} bytes, inverting the byte at {@code flipAt} (none when negative). */
    private static void copyBody(InputStream in, OutputStream out, long length, long flipAt) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long copied = 0;
        while (copied < length) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - copied));
            if (n < 0) {
                throw new IOException("the client closed the connection within a body");
            }
            if (flipAt >= copied && flipAt < copied + n) {
                buffer[(int) (flipAt - copied)] ^= (byte) 0xff;
            }
            out.write(buffer, 0, n);
            copied += n;
        }
    }

    private static void answerInvalidArgument(Socket client, Request request) throws IOException {
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidArgument</Code>"
                + "<Message>Unsupported header for " + request.path() + "</Message></Error>";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String response = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/xml\r\nContent-Length: "
                + bytes.length + "\r\nConnection: close\r\n\r\n";
        OutputStream out = client.getOutputStream();
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }
}
