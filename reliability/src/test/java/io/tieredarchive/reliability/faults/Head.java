package io.tieredarchive.reliability.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The head of an HTTP/1.1 message as {@link FaultyS3Proxy} reads it: the start line and headers, kept byte for byte
 * ({@link #bytes()}) so that forwarding changes nothing, with the few fields the proxy needs parsed; and the
 * framing of the body that follows a head (Content-Length or chunked).
 */
record Head(byte[] bytes, String startLine, Map<String, String> headers) {

    static final String CRLF = "\r\n";

    /** Reads a head up to its empty line; null when the stream ends before its first byte. */
    static Head read(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        String startLine = null;
        Map<String, String> headers = new TreeMap<>();
        while (true) {
            String line;
            try {
                line = readLine(in);
            } catch (SocketException ended) {
                if (raw.size() == 0) {
                    return null;
                }
                throw ended;
            }
            raw.writeBytes((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            if (startLine == null) {
                startLine = line;
            } else if (line.isEmpty()) {
                return new Head(raw.toByteArray(), startLine, headers);
            } else {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            line.substring(colon + 1).trim());
                }
            }
        }
    }

    /** A header's value by lower-case name, or null. */
    String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    boolean isRequest() {
        return !startLine.startsWith("HTTP/");
    }

    String method() {
        return startLine.substring(0, startLine.indexOf(' '));
    }

    /** The request target: path and query. */
    String target() {
        String[] parts = startLine.split(" ");
        return parts.length > 1 ? parts[1] : "";
    }

    /** The request path without the query. */
    String path() {
        String target = target();
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** A response's status code. */
    int status() {
        String[] parts = startLine.split(" ");
        return parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    }

    /** Copies the body framed by {@code head}'s headers; false when it ran to end-of-stream (not reusable). */
    static boolean copyBody(Head head, InputStream from, OutputStream to) throws IOException {
        if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
            copyChunked(from, to);
            return true;
        }
        String length = head.header("content-length");
        if (length != null) {
            copyExactly(from, to, Long.parseLong(length.trim()));
            return true;
        }
        if (head.isRequest()) {
            return true; // a request without framing has no body
        }
        from.transferTo(to);
        return false;
    }

    static void copyChunked(InputStream from, OutputStream to) throws IOException {
        while (true) {
            String sizeLine = readLine(from);
            to.write((sizeLine + CRLF).getBytes(StandardCharsets.ISO_8859_1));
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                String trailer;
                do {
                    trailer = readLine(from);
                    to.write((trailer + CRLF).getBytes(StandardCharsets.ISO_8859_1));
                } while (!trailer.isEmpty());
                return;
            }
            copyExactly(from, to, size);
            to.write((readLine(from) + CRLF).getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    static void copyExactly(InputStream from, OutputStream to, long n) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            int read = from.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new SocketException("stream ended " + left + " bytes before the end of a body");
            }
            to.write(buffer, 0, read);
            left -= read;
        }
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new SocketException("stream ended in the middle of a line");
            }
            line.write(b);
        }
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
}
