import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A counting relay between an S3 client and an S3 server (benchmark case 9): listens on LISTEN_PORT, passes every
 * connection on to TARGET_PORT on 127.0.0.1 unchanged, and appends one line per HTTP request to LOG_FILE:
 * {@code METHOD TARGET} (path and query). Bodies are framed by Content-Length or chunked transfer encoding.
 *
 * <pre>java S3RequestCounter.java LISTEN_PORT TARGET_PORT LOG_FILE</pre>
 * Prints "ready" once it listens; runs until killed.
 */
public class S3RequestCounter {

    public static void main(String[] args) throws Exception {
        int listen = Integer.parseInt(args[0]);
        int target = Integer.parseInt(args[1]);
        PrintStream log = new PrintStream(new FileOutputStream(args[2], true), true, StandardCharsets.UTF_8);
        try (ServerSocket server = new ServerSocket(listen, 200, InetAddress.getLoopbackAddress())) {
            System.out.println("ready");
            System.out.flush();
            while (true) {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                daemon(() -> requests(client, upstream, log));
                daemon(() -> pump(upstream, client));
            }
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r);
        t.setDaemon(true);
        t.start();
    }

    private static void requests(Socket client, Socket upstream, PrintStream log) {
        try (InputStream in = new BufferedInputStream(client.getInputStream());
             OutputStream out = upstream.getOutputStream()) {
            String head;
            while ((head = readLine(in, true)) != null) {
                String[] line = head.split("\r\n", 2)[0].split(" ");
                synchronized (log) {
                    log.println(line[0] + " " + line[1]);
                }
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                String lower = head.toLowerCase(Locale.ROOT);
                if (lower.contains("\r\ntransfer-encoding: chunked")) {
                    copyChunked(in, out);
                } else {
                    copy(in, out, contentLength(lower));
                }
                out.flush();
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            close(client);
            close(upstream);
        }
    }

    private static long contentLength(String lowerHead) {
        int at = lowerHead.indexOf("\r\ncontent-length:");
        if (at < 0) {
            return 0;
        }
        int end = lowerHead.indexOf("\r\n", at + 2);
        return Long.parseLong(lowerHead.substring(at + "\r\ncontent-length:".length(), end).trim());
    }

    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String size = readLine(in, false);
            out.write(size.getBytes(StandardCharsets.ISO_8859_1));
            long n = Long.parseLong(size.trim().split(";")[0], 16);
            if (n == 0) {
                String trailer;
                do {
                    trailer = readLine(in, false);
                    out.write(trailer.getBytes(StandardCharsets.ISO_8859_1));
                } while (!trailer.equals("\r\n"));
                return;
            }
            copy(in, out, n + 2);
        }
    }

    /** A line with its CRLF ({@code head}: up to the empty line), or null at the end of the stream. */
    private static String readLine(InputStream in, boolean head) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int last4 = 0;
        int b;
        while ((b = in.read()) >= 0) {
            bytes.write(b);
            last4 = (last4 << 8) | b;
            if (b == '\n' && (!head || last4 == 0x0d0a0d0a)) {
                return bytes.toString(StandardCharsets.ISO_8859_1);
            }
            if (bytes.size() > 1 << 20) {
                throw new IOException("header too long");
            }
        }
        return null;
    }

    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("closed within a body");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            close(from);
            close(to);
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }
}
