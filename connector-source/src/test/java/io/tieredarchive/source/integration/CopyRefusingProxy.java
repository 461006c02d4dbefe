package io.tieredarchive.source.integration;

import io.tieredarchive.testing.TcpRelay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 relay in front of an S3Proxy that answers every server-side copy (a request with an
 * {@code x-amz-copy-source} header: CopyObject, UploadPartCopy) with 501 NotImplemented, as stores without
 * server-side copy do, and forwards every other request unchanged (so signatures stay valid). S3Proxy itself
 * implements server-side copies, so this is how the tests meet a store that refuses them.
 */
final class CopyRefusingProxy extends TcpRelay {

    private static final byte[] REFUSAL_BODY = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NotImplemented"
            + "</Code><Message>Server-side copy is not implemented by this store</Message></Error>")
            .getBytes(StandardCharsets.UTF_8);

    private final AtomicInteger refused = new AtomicInteger();

    CopyRefusingProxy(int targetPort) {
        super(targetPort);
    }

    /** Server-side copy requests refused so far. */
    int refused() {
        return refused.get();
    }

    @Override
    protected void relay(Socket client, Socket target) {
        daemon(() -> pump(target, client), "refusing-proxy-responses");
        daemon(() -> requests(client, target), "refusing-proxy-requests");
    }

    /** Reads request after request from the client: refuses copies, forwards the rest with their bodies. */
    private void requests(Socket client, Socket target) {
        try (client; target) {
            InputStream in = client.getInputStream();
            OutputStream toTarget = target.getOutputStream();
            byte[] head;
            while ((head = readHead(in)) != null) {
                String headers = new String(head, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
                if (headers.contains("\r\nx-amz-copy-source:")) {
                    refused.incrementAndGet();
                    OutputStream toClient = client.getOutputStream();
                    toClient.write(("HTTP/1.1 501 Not Implemented\r\nContent-Type: application/xml\r\n"
                            + "Content-Length: " + REFUSAL_BODY.length + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    toClient.write(REFUSAL_BODY);
                    toClient.flush();
                    return;
                }
                toTarget.write(head);
                long length = contentLength(headers);
                byte[] buffer = new byte[8192];
                while (length > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, length));
                    if (n < 0) {
                        return;
                    }
                    toTarget.write(buffer, 0, n);
                    length -= n;
                }
                toTarget.flush();
            }
        } catch (IOException e) {
            // a side closed
        }
    }

    private static long contentLength(String headers) {
        int i = headers.indexOf("\r\ncontent-length:");
        if (i < 0) {
            return 0;
        }
        int end = headers.indexOf("\r\n", i + 2);
        return Long.parseLong(headers.substring(i + "\r\ncontent-length:".length(), end).trim());
    }

    /** The request line and headers up to and including the blank line, or null at the end of the stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
            if (matched == 4) {
                return head.toByteArray();
            }
        }
        return null;
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // a side closed
        } finally {
            closeQuietly(to);
            closeQuietly(from);
        }
    }

}
