package io.tieredarchive.reliability.faults;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault-injecting HTTP/1.1 proxy on the loopback address in front of an S3 server (S3Proxy), switchable at run
 * time: pass-through, {@link #down()} (the port refuses connections and open ones are cut), {@link #slow} (each
 * response held back before its first byte), and {@link #inject} (some requests answered by the proxy itself with
 * an S3 error: 500 InternalError or 503 SlowDown, with S3's XML body, never reaching the server).
 *
 * <p>It reads each request's head and frames bodies (Content-Length, chunked, {@code Expect: 100-continue}) so that
 * it can decide per request on a kept-alive connection; the bytes it forwards are unchanged, so SigV4 signatures
 * (over the client's Host header) stay valid. It counts requests by operation, the faults it injected, and how
 * many faulted requests were later sent again and passed ({@link #retriedAfterFault()}: the client's retries,
 * seen from the wire).
 */
public final class FaultyS3Proxy implements AutoCloseable {

    /** An S3 operation as seen on the wire; LIST is a GET on the bucket itself. */
    public enum Op { PUT, GET, HEAD, LIST, DELETE, POST, OTHER }

    /**
     * Answer {@code status} with S3 error {@code code} for every {@code everyNth} request of {@code ops} (0: none
     * by count), and for a {@code fraction} of the others at random.
     */
    public record Fault(int status, String code, int everyNth, double fraction, Set<Op> ops) {
        public static Fault internalError(int everyNth, Set<Op> ops) {
            return new Fault(500, "InternalError", everyNth, 0, ops);
        }

        public static Fault slowDown(int everyNth, Set<Op> ops) {
            return new Fault(503, "SlowDown", everyNth, 0, ops);
        }
    }

    private final int targetPort;
    private final int port;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Map<Op, AtomicLong> requests = new EnumMap<>(Op.class);
    private final Map<Integer, AtomicLong> injected = new ConcurrentHashMap<>();
    private final AtomicLong matching = new AtomicLong();
    private final AtomicLong delayed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong retriedAfterFault = new AtomicLong();
    /** "METHOD target" of faulted requests not yet seen passing. */
    private final Set<String> faulted = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private volatile Fault fault;
    private volatile long delayMs;
    private volatile Set<Op> delayOps = Set.of();
    private volatile boolean closed;

    public FaultyS3Proxy(int targetPort) {
        this.targetPort = targetPort;
        for (Op op : Op.values()) {
            requests.put(op, new AtomicLong());
        }
        this.server = listen(0);
        this.port = server.getLocalPort();
        startAccepting(server);
    }

    /** {@code http://127.0.0.1:port} of the proxy: give it to clients as {@code s3.endpoint}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Back to pass-through: no fault, no delay, the port open. */
    public synchronized void passThrough() {
        fault = null;
        delayMs = 0;
        up();
    }

    /** The server is gone: new connections are refused, open ones cut. */
    public synchronized void down() {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            closeQuietly(s);
        }
        sockets.forEach(FaultyS3Proxy::closeQuietly);
        sockets.clear();
    }

    /** Accepts connections again (same port). */
    public synchronized void up() {
        if (server == null && !closed) {
            server = listen(port);
            startAccepting(server);
        }
    }

    /** Holds each response to {@code ops} back {@code millis} before its first byte (0: no delay). */
    public void slow(long millis, Set<Op> ops) {
        delayOps = Set.copyOf(ops);
        delayMs = millis;
    }

    /** Injects {@code fault} from now on (null: none). */
    public void inject(Fault fault) {
        this.fault = fault;
    }

    public long requests(Op op) {
        return requests.get(op).get();
    }

    public long requests() {
        return requests.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Requests answered with {@code status} by the proxy itself. */
    public long injected(int status) {
        AtomicLong n = injected.get(status);
        return n == null ? 0 : n.get();
    }

    public long delayed() {
        return delayed.get();
    }

    /** Connections cut or refused while {@link #down()}: those accepted in the race and closed at once. */
    public long refused() {
        return refused.get();
    }

    /** Faulted requests that the client sent again and that then reached the server. */
    public long retriedAfterFault() {
        return retriedAfterFault.get();
    }

    /** Faulted requests not (yet) seen passing on a later attempt. */
    public int faultedNotRetried() {
        return faulted.size();
    }

    public String summary() {
        return String.format("%d requests %s; injected 500=%d 503=%d; delayed=%d; faulted then passed=%d",
                requests(), requests, injected(500), injected(503), delayed(), retriedAfterFault());
    }

    @Override
    public synchronized void close() {
        closed = true;
        down();
    }

    // ---- connections ----

    private ServerSocket listen(int onPort) {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 100);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on port " + onPort, e);
        }
    }

    private void startAccepting(ServerSocket s) {
        daemon(() -> {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    if (server != s) {
                        refused.incrementAndGet();
                        closeQuietly(client);
                        continue;
                    }
                    sockets.add(client);
                    daemon(() -> serve(client), "faulty-s3-conn-" + client.getPort());
                } catch (IOException e) {
                    // closed by down() or close()
                }
            }
        }, "faulty-s3-accept-" + s.getLocalPort());
    }

    /** Serves the requests of one client connection in turn, over one connection to the server. */
    private void serve(Socket client) {
        Socket target = null;
        try (client) {
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            InputStream targetIn = null;
            OutputStream targetOut = null;
            while (true) {
                Head request = Head.read(in);
                if (request == null) {
                    return;
                }
                Op op = op(request);
                requests.get(op).incrementAndGet();
                String key = request.method() + " " + request.target();
                Fault f = fault;
                if (f != null && f.ops().contains(op) && fires(f)) {
                    faulted.add(key);
                    injected.computeIfAbsent(f.status(), s -> new AtomicLong()).incrementAndGet();
                    if (!answerWithError(request, f, in, out)) {
                        return;
                    }
                    continue;
                }
                if (faulted.remove(key)) {
                    retriedAfterFault.incrementAndGet();
                }
                if (target == null) {
                    target = new Socket();
                    target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                    sockets.add(target);
                    targetIn = new BufferedInputStream(target.getInputStream());
                    targetOut = target.getOutputStream();
                }
                if (!forward(request, op, in, out, targetIn, targetOut)) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client or the server went away, or the proxy went down: the connection ends
        } finally {
            if (target != null) {
                closeQuietly(target);
                sockets.remove(target);
            }
            sockets.remove(client);
        }
    }

    private boolean fires(Fault f) {
        long n = matching.incrementAndGet();
        return (f.everyNth() > 0 && n % f.everyNth() == 0)
                || (f.fraction() > 0 && ThreadLocalRandom.current().nextDouble() < f.fraction());
    }

    /**
     * Sends one request to the server and its response back; false when the connection must end afterwards.
     * With {@code Expect: 100-continue} the body follows the server's 100 only.
     */
    private boolean forward(Head request, Op op, InputStream in, OutputStream out, InputStream targetIn,
                            OutputStream targetOut) throws IOException, InterruptedException {
        targetOut.write(request.bytes());
        targetOut.flush();
        boolean expectContinue = "100-continue".equalsIgnoreCase(request.header("expect"));
        Head response = null;
        boolean bodySent = !expectContinue;
        if (expectContinue) {
            response = Head.read(targetIn);
            if (response == null) {
                return false;
            }
            if (response.status() == 100) {
                out.write(response.bytes());
                out.flush();
                Head.copyBody(request, in, targetOut);
                bodySent = true;
                response = null;
            }
        } else {
            Head.copyBody(request, in, targetOut);
        }
        targetOut.flush();
        while (response == null || (response.status() >= 100 && response.status() < 200)) {
            response = Head.read(targetIn);
            if (response == null) {
                return false;
            }
        }
        long delay = delayMs;
        if (delay > 0 && delayOps.contains(op)) {
            delayed.incrementAndGet();
            Thread.sleep(delay);
        }
        out.write(response.bytes());
        boolean framed = true;
        int status = response.status();
        if (!"HEAD".equals(request.method()) && status != 204 && status != 304) {
            framed = Head.copyBody(response, targetIn, out);
        }
        out.flush();
        return framed && bodySent && !"close".equalsIgnoreCase(response.header("connection"));
    }

    /** Answers with an S3 error; false when the connection must end (a body the client never sent). */
    private boolean answerWithError(Head request, Fault f, InputStream in, OutputStream out) throws IOException {
        boolean expectContinue = "100-continue".equalsIgnoreCase(request.header("expect"));
        if (!expectContinue) {
            Head.copyBody(request, in, OutputStream.nullOutputStream());
        }
        String id = "faulty-" + requests();
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + f.code() + "</Code><Message>"
                + (f.status() == 503 ? "Please reduce your request rate." : "We encountered an internal error. "
                + "Please try again.") + "</Message><Resource>" + request.path() + "</Resource><RequestId>" + id
                + "</RequestId></Error>";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean head = "HEAD".equals(request.method());
        String reason = f.status() == 503 ? "Slow Down" : "Internal Server Error";
        String headers = "HTTP/1.1 " + f.status() + " " + reason + Head.CRLF + "Content-Type: application/xml" + Head.CRLF
                + "Content-Length: " + (head ? 0 : bytes.length) + Head.CRLF + "x-amz-request-id: " + id + Head.CRLF
                + (expectContinue ? "Connection: close" + Head.CRLF : "") + Head.CRLF;
        out.write(headers.getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
            out.write(bytes);
        }
        out.flush();
        return !expectContinue;
    }

    private static Op op(Head request) {
        String path = request.path();
        boolean bucketOnly = path.indexOf('/', 1) < 0 || path.indexOf('/', 1) == path.length() - 1;
        return switch (request.method()) {
            case "GET" -> bucketOnly ? Op.LIST : Op.GET;
            case "PUT" -> Op.PUT;
            case "HEAD" -> Op.HEAD;
            case "DELETE" -> Op.DELETE;
            case "POST" -> Op.POST;
            default -> Op.OTHER;
        };
    }

    private static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
