package io.tieredarchive.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tieredarchive.testing.S3ProxyServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP calls to a Connect worker's REST API as a user makes them ({@code java.net.http}): the status, the headers
 * (a {@code Location}) and the body, with or without Basic credentials.
 */
final class RestCalls {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** One answer: status, body, and the {@code Location} header if any. */
    record Answer(int status, String body, String location) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("Not JSON (status " + status + "): " + body, e);
            }
        }

        /** Asserts the status; returns the JSON body. */
        JsonNode expect(int expected) {
            assertEquals(expected, status, body);
            return json();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /**
     * Asserts an error answer: {@code status}, Connect's shape with the same {@code error_code}, a message naming
     * {@code mentioned}, and no S3 secret of the test servers in it.
     */
    static void expectError(Answer answer, int status, String mentioned) {
        JsonNode body = answer.expect(status);
        assertEquals(status, body.path("error_code").asInt(), answer.toString());
        assertTrue(body.path("message").asText().contains(mentioned), "expected '" + mentioned + "' in " + answer);
        assertFalse(answer.body().contains(S3ProxyServer.SECRET_KEY), "a credential in a response: " + answer);
    }

    private final String baseUrl;
    private final String authorization;

    /** {@code baseUrl}: the worker's REST URL ending with '/'. */
    RestCalls(String baseUrl) {
        this(baseUrl, null);
    }

    private RestCalls(String baseUrl, String authorization) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        this.authorization = authorization;
    }

    /** The same calls with HTTP Basic credentials. */
    RestCalls as(String user, String password) {
        return new RestCalls(baseUrl, "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    Answer get(String path) {
        return send(request(path).GET());
    }

    Answer post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Answer put(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** GETs {@code path} until {@code done} holds for the answer; fails with the last answer after {@code timeout}. */
    Answer await(String path, Predicate<Answer> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Answer last = get(path);
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("GET " + path + " did not reach the wanted answer within " + timeout
                        + "; last: " + last);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            last = get(path);
        }
        return last;
    }

    private HttpRequest.Builder request(String path) {
        String relative = path.startsWith("/") ? path.substring(1) : path;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : baseUrl + relative))
                .timeout(Duration.ofSeconds(120));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private static Answer send(HttpRequest.Builder request) {
        HttpRequest built = request.build();
        try {
            HttpResponse<String> r;
            try {
                r = HTTP.send(built, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (!String.valueOf(e.getMessage()).contains("received no bytes")) {
                    throw e;
                }
                // The client reuses a kept-alive connection that the worker's Jetty closed when idle; the JDK client
                // retries that only for GET ("header parser received no bytes"). The request never reached the
                // worker, so it is sent once more on a new connection.
                r = HTTP.send(built, HttpResponse.BodyHandlers.ofString());
            }
            return new Answer(r.statusCode(), r.body(), r.headers().firstValue("Location").orElse(null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
