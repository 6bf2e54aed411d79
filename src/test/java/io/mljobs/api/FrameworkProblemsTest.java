package io.mljobs.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.junit.jupiter.api.Test;

import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.ext.web.Router;

/**
 * Refusals made before or outside Quarkus REST (by the router, RequestGuard or the HTTP decoder)
 * still answer application/problem+json with the right status and type.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class FrameworkProblemsTest {

    @TestHTTPResource("/")
    URI base;

    /** A route outside Quarkus REST that fails, as a bug in a router handler would. */
    @ApplicationScoped
    static class FailingRoute {
        void install(@Observes Router router) {
            router.get("/test-only/failing-route").handler(ctx -> {
                throw new IllegalStateException("a bug outside the REST layer");
            });
        }
    }

    private RawHttp.Reply get(String target) {
        return new RawHttp(base).send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close");
    }

    private static void assertProblem(RawHttp.Reply reply, int status, String type) {
        assertEquals(status, reply.status(), () -> reply.headers() + " " + reply.body());
        assertEquals(Problem.MEDIA_TYPE, reply.contentType(), () -> status + ": " + reply.body());
        assertEquals(type, reply.json().path("type").asText(), reply::body);
        assertEquals(status, reply.json().path("status").asInt(), reply::body);
    }

    @Test
    void failureOutsideTheRestLayerIs500ProblemWithoutDetails() {
        RawHttp.Reply reply = get("/test-only/failing-route");
        assertProblem(reply, 500, "/problems/internal-error");
        assertEquals(false, reply.body().contains("IllegalStateException"), reply::body);
        assertEquals(false, reply.body().contains("a bug"), reply::body);
    }

    @Test
    void unknownPathIs404Problem() {
        assertProblem(get("/no-such-thing"), 404, "/problems/not-found");
        assertProblem(get("/jobs/3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b/nothing"), 404, "/problems/not-found");
    }

    @Test
    void wrongMethodIs405Problem() {
        RawHttp raw = new RawHttp(base);
        assertProblem(raw.send("PUT /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close"), 405,
                "/problems/method-not-allowed");
        assertProblem(raw.send("DELETE /jobs/x HTTP/1.1\r\nHost: localhost\r\nConnection: close"), 405,
                "/problems/method-not-allowed");
        assertProblem(raw.send("BREW /jobs HTTP/1.1\r\nHost: localhost\r\nConnection: close"), 405,
                "/problems/method-not-allowed");
    }

    @Test
    void badPercentEncodingIs400() {
        // Escapes that decode to bytes that are not UTF-8 reach RequestGuard: a problem body.
        assertProblem(get("/jobs/%e2%28"), 400, "/problems/invalid-request");
        assertProblem(get("/jobs?status=%e2%28"), 400, "/problems/invalid-request");
        assertProblem(get("/jobs?limit=%ff"), 400, "/problems/invalid-request");
        // A '%' without two hex digits is refused by Netty's request decoder, which Vert.x answers
        // with an empty 400 and Quarkus offers no hook for (README: HTTP limits).
        for (String target : new String[] { "/jobs/%zz", "/jobs?limit=%" }) {
            RawHttp.Reply reply = get(target);
            assertEquals(400, reply.status(), target);
            assertEquals("close", reply.headers().get("connection"), target);
        }
    }

    @Test
    void missingHostIs400Problem() {
        assertProblem(new RawHttp(base).send("GET /jobs/stats HTTP/1.1\r\nConnection: close"), 400,
                "/problems/invalid-request");
    }

    @Test
    void uriTooLongIs414Problem() {
        assertProblem(get("/jobs?cursor=" + "a".repeat(9_000)), 414, "/problems/uri-too-long");
    }

    @Test
    void headersTooLargeIs431Problem() {
        String big = "X-Filler: " + "b".repeat(8_000);
        RawHttp.Reply reply = new RawHttp(base).send("GET /jobs/stats HTTP/1.1\r\nHost: localhost\r\n" + big + "\r\n"
                + big + "\r\n" + big + "\r\nConnection: close");
        assertProblem(reply, 431, "/problems/request-header-fields-too-large");
    }

    @Test
    void declaredBodyOverTheLimitIs413ProblemBeforeItIsRead() {
        RawHttp.Reply reply = new RawHttp(base).send("POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                + "application/json\r\nContent-Length: 17000000", "{\"input_text\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        assertProblem(reply, 413, "/problems/payload-too-large");
    }

    @Test
    void chunkedBodyOverTheLimitIs413() {
        // One JSON string of 17 MiB sent in chunks: no Content-Length to refuse up front.
        String chunk = "x".repeat(1 << 20);
        StringBuilder body = new StringBuilder();
        appendChunk(body, "{\"input_text\":\"");
        for (int i = 0; i < 17; i++) {
            appendChunk(body, chunk);
        }
        appendChunk(body, "\"}");
        body.append("0\r\n\r\n");
        RawHttp.Reply reply = new RawHttp(base).send("POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                + "application/json\r\nTransfer-Encoding: chunked", body.toString().getBytes(StandardCharsets.UTF_8));
        // Quarkus REST's input stream stops reading at the limit and ends the response itself, without
        // a body and past any hook of ours (README: HTTP limits). A declared length gets a problem body.
        assertEquals(413, reply.status(), reply::body);
    }

    private static void appendChunk(StringBuilder body, String data) {
        body.append(Integer.toHexString(data.length())).append("\r\n").append(data).append("\r\n");
    }

    @Test
    void invalidContentLengthIs400() {
        RawHttp.Reply reply = new RawHttp(base).send("POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                + "application/json\r\nContent-Length: abc\r\nConnection: close");
        // Netty's decoder refuses it before any handler: an empty 400, connection closed.
        assertEquals(400, reply.status(), reply::body);
    }
}
