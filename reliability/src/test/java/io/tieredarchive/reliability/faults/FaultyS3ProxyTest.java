package io.tieredarchive.reliability.faults;

import com.sun.net.httpserver.HttpServer;
import io.tieredarchive.reliability.faults.FaultyS3Proxy.Fault;
import io.tieredarchive.reliability.faults.FaultyS3Proxy.Op;
import io.tieredarchive.testing.Closing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault injector itself (its Expect: 100-continue path is exercised by the AWS SDK in S3FaultsIT), in front of a
 * tiny HTTP server that answers "<METHOD> <path> <body bytes>".
 */
@Timeout(60)
class FaultyS3ProxyTest {

    private HttpServer server;
    private FaultyS3Proxy proxy;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            byte[] answer = (exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + body.length).getBytes(StandardCharsets.UTF_8);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(200, head ? -1 : 0); // 0: chunked
            if (!head) {
                exchange.getResponseBody().write(answer);
            }
            exchange.close();
        });
        server.start();
        proxy = new FaultyS3Proxy(server.getAddress().getPort());
    }

    @AfterEach
    void stop() throws Exception {
        Closing.closeAll(proxy, () -> server.stop(0));
    }

    @Test
    void passesRequestsThroughOnOneKeptAliveConnection() throws Exception {
        assertEquals("GET /bucket/key 0", send("GET", "/bucket/key", null).body());
        assertEquals("PUT /bucket/key 5", send("PUT", "/bucket/key", "hello").body());
        assertEquals(200, send("HEAD", "/bucket/key", null).statusCode());
        assertEquals("GET /bucket 0", send("GET", "/bucket?list-type=2", null).body());
        assertEquals(1, proxy.requests(Op.GET));
        assertEquals(1, proxy.requests(Op.PUT));
        assertEquals(1, proxy.requests(Op.HEAD));
        assertEquals(1, proxy.requests(Op.LIST));
    }

    @Test
    void injectsS3ErrorsForEveryNthRequestOfTheChosenOperations() throws Exception {
        proxy.inject(Fault.slowDown(2, EnumSet.of(Op.PUT)));
        assertEquals(200, send("PUT", "/bucket/a", "x").statusCode());
        HttpResponse<String> refused = send("PUT", "/bucket/a", "xy");
        assertEquals(503, refused.statusCode());
        assertTrue(refused.body().contains("<Code>SlowDown</Code>") && refused.body().contains("/bucket/a"),
                refused.body());
        assertEquals(200, send("GET", "/bucket/a", null).statusCode(), "GET is not chosen");
        assertEquals("PUT /bucket/a 2", send("PUT", "/bucket/a", "xy").body(), "the retry passes");
        proxy.inject(Fault.internalError(1, EnumSet.of(Op.GET)));
        HttpResponse<String> failed = send("GET", "/bucket/b", null);
        assertEquals(500, failed.statusCode());
        assertTrue(failed.body().contains("<Code>InternalError</Code>"), failed.body());
        assertEquals(1, proxy.injected(503));
        assertEquals(1, proxy.injected(500));
        assertEquals(1, proxy.retriedAfterFault());
        assertEquals(1, proxy.faultedNotRetried(), "GET /bucket/b was not retried");
    }

    @Test
    void downRefusesConnectionsAndUpServesAgainOnTheSamePort() throws Exception {
        proxy.down();
        assertThrows(IOException.class, () -> send("GET", "/bucket/d", null));
        proxy.up();
        assertEquals("GET /bucket/d 0", send("GET", "/bucket/d", null).body());
    }

    @Test
    void slowHoldsResponsesBack() throws Exception {
        proxy.slow(700, EnumSet.of(Op.GET));
        long started = System.nanoTime();
        assertEquals(200, send("GET", "/bucket/e", null).statusCode());
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(700).toNanos());
        assertEquals(1, proxy.delayed());
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest request = HttpRequest.newBuilder(URI.create(proxy.endpoint() + path)).method(method, publisher)
                .timeout(Duration.ofSeconds(10)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
