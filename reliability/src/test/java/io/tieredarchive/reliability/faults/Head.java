package io.tieredarchive.reliability.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The head of an HTTP/1.1 message as {@link FaultyS3Proxy} reads it: the start line and headers, kept byte for byte
 * ({@link #bytes()}) so that forwarding changes nothing, with the few fields the proxy needs parsed.
 */
record Head(byte[] bytes, String startLine, Map<String, String> headers) {

    /** Reads a head up to its empty line; null when the stream ends before its first byte. */
    static Head read(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        String startLine = null;
        Map<String, String> headers = new TreeMap<>();
        while (true) {
            String line;
            try {
                line = FaultyS3Proxy.readLine(in);
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
}
