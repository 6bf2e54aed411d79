package io.mljobs.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.mljobs.job.Cursor;
import io.mljobs.job.Position;
import io.mljobs.job.SortOrder;
import io.mljobs.testing.Admin;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Over 2,000 hostile requests, generated from a fixed seed, across every endpoint: NUL and lone
 * surrogates, huge and non-finite numbers, dates outside any calendar, duplicate keys, 10,000-deep
 * nesting, wrong types, empty parameters, forged cursors, bad percent-encoding, made-up methods.
 * None may get a 5xx or hang, and every 4xx must be application/problem+json.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class HostileRequestsTest {

    private static final long SEED = 20261127L;
    private static final int GENERATED = 2_200;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String JOB = "3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b";

    private static final String[] STRINGS = {
            "' OR '1'='1", "1; DROP TABLE ml_jobs; --", "$1", "%00", "\u0000", "a\u0000b", "\ud800", "x\udc00y",
            "\ud83d\ude00", "../../etc/passwd", "<script>", "9".repeat(40), "-1", "NaN", "Infinity", "-Infinity", "1e400",
            "", " ", "null", "[]", "{}", "\u202e", "\t\r\n", "x".repeat(5_000), "0000-01-01", "9999-12-31",
            "2262-04-12", "1677-09-21", "+10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "2026-02-30",
            "2026-05-01T25:00:00Z", "pending", "PENDING", "asc", "desc", JOB, "0", "101", "2147483648", "1.5", "0x10",
    };
    private static final String[] NUMBERS = {
            "0", "-1", "1", "100", "101", "1.5", "1e400", "-1e400", "9".repeat(40), "NaN", "Infinity", "\"5\"",
            "\"NaN\"", "\"Infinity\"", "null", "true", "[]", "{}", "\"\"", "-0", "2147483648", "4.9e-324",
    };
    private static final String[] PARAMS = { "limit", "cursor", "status", "created_after", "created_before", "order" };

    @TestHTTPResource("/")
    URI base;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();

    record Request(String method, String path, String contentType, String body, boolean admin) {
        @Override
        public String toString() {
            return method + " " + path.substring(0, Math.min(path.length(), 200)) + " with a body of "
                    + (body == null ? 0 : body.length()) + " characters: "
                    + (body == null ? "" : body.substring(0, Math.min(body.length(), 200)));
        }
    }

    @Test
    void nothingHostileGetsAServerErrorABareErrorOrHangs() {
        List<Request> requests = generate(new Random(SEED));
        Map<Integer, Integer> statuses = new TreeMap<>();
        long slowestMs = 0;
        for (Request r : requests) {
            long started = System.nanoTime();
            HttpResponse<String> reply = send(r);
            slowestMs = Math.max(slowestMs, (System.nanoTime() - started) / 1_000_000);
            if (reply == null) {
                statuses.merge(413, 1, Integer::sum); // refused past the body limit; see send
                continue;
            }
            statuses.merge(reply.statusCode(), 1, Integer::sum);
            assertTrue(reply.statusCode() < 500, r + " answered " + reply.statusCode() + ": " + reply.body());
            if (reply.statusCode() >= 400) {
                assertEquals(Problem.MEDIA_TYPE, reply.headers().firstValue("Content-Type").orElse(""),
                        r + " answered " + reply.statusCode() + " without a problem body: " + reply.body());
            }
        }
        int raw = rawSocketCases(new Random(SEED), statuses);
        System.out.printf("hostile requests: %d over HTTP, %d on raw sockets; statuses %s; slowest %d ms%n",
                requests.size(), raw, statuses, slowestMs);
        assertTrue(requests.size() + raw >= 2_000);
        assertTrue(statuses.getOrDefault(400, 0) > requests.size() / 2, "mostly rejected as bad input: " + statuses);
        assertEquals(0, statuses.keySet().stream().filter(s -> s >= 500).count());
    }

    private HttpResponse<String> send(Request r) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(r.path())).timeout(TIMEOUT)
                .method(r.method(), r.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(r.body()));
        if (r.contentType() != null) {
            request.header("Content-Type", r.contentType());
        }
        if (r.admin()) {
            request.header("Authorization", Admin.BASIC_AUTH);
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            if (r.body() != null && r.body().length() > 16 * 1024 * 1024) {
                // Past the body limit the service answers 413 before reading and closes the connection;
                // a client still uploading may see that close before the answer. Neither a 5xx nor a
                // hang: FrameworkProblemsTest checks the 413 problem itself on a raw socket.
                return null;
            }
            throw new AssertionError(r + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Requests no HTTP client library sends: made-up methods, bad escapes, no Host, oversized lines. */
    private int rawSocketCases(Random random, Map<Integer, Integer> statuses) {
        RawHttp raw = new RawHttp(base);
        List<String> heads = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String method = "X" + Integer.toString(random.nextInt(1_000_000), 36).toUpperCase();
            heads.add(method + " /jobs HTTP/1.1\r\nHost: localhost\r\nConnection: close");
            heads.add("GET " + randomPath(random) + " HTTP/1.1\r\nHost: localhost\r\nConnection: close");
            heads.add("GET /jobs?" + pick(random, PARAMS) + "=%e2%28" + " HTTP/1.1\r\nHost: localhost\r\nConnection: close");
        }
        heads.add("GET /jobs/stats HTTP/1.1\r\nConnection: close");
        heads.add("GET /jobs?cursor=" + "a".repeat(9_000) + " HTTP/1.1\r\nHost: localhost\r\nConnection: close");
        heads.add("GET /jobs/stats HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(17_000) + "\r\nConnection: close");
        heads.add("POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 99999999999");
        int bare = 0;
        for (String head : heads) {
            RawHttp.Reply reply = raw.send(head);
            statuses.merge(reply.status(), 1, Integer::sum);
            String line = head.lines().findFirst().orElse("");
            assertTrue(reply.status() > 0 && reply.status() < 500, line + " answered " + reply.status());
            if (reply.status() >= 400) {
                assertEquals(Problem.MEDIA_TYPE, reply.contentType(), line + ": " + reply.status() + " " + reply.body());
            }
        }
        // A '%' without two hex digits: Netty refuses the request line itself (empty 400, see README).
        for (String target : new String[] { "/jobs/%zz", "/jobs?limit=%", "/jobs?status=%g0", "/admin/explain?query_type=%" }) {
            RawHttp.Reply reply = raw.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close");
            assertEquals(400, reply.status(), target);
            bare++;
        }
        return heads.size() + bare;
    }

    private List<Request> generate(Random random) {
        List<Request> requests = new ArrayList<>();
        // Cursors that pass the checksum but carry positions no real cursor has.
        for (long micros : new long[] { Long.MIN_VALUE, Long.MAX_VALUE, -1, 0, 253_402_300_800_000_000L }) {
            for (long id : new long[] { Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE }) {
                String forged = new Cursor(new Position(micros, id), SortOrder.values()[random.nextInt(2)]).encode();
                requests.add(get("/jobs?cursor=" + forged));
            }
        }
        // Oversized: past the body limit, a batch past 1,000 jobs, a limit of 10,000 digits, deep nesting.
        requests.add(json("POST", "/jobs", "{\"input_text\": \"" + "x".repeat(17_000_000) + "\"}"));
        requests.add(json("POST", "/jobs/batch", "{\"jobs\": [" + "{\"input_text\": \"x\"},".repeat(5_000)
                + "{\"input_text\": \"x\"}]}"));
        requests.add(get("/jobs?limit=" + "9".repeat(5_000)));
        for (String path : new String[] { "/jobs", "/jobs/batch", "/jobs/claim", "/jobs/results",
                "/jobs/" + JOB + "/complete" }) {
            requests.add(json("POST", path, "[".repeat(10_000)));
            requests.add(json("POST", path, "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)));
        }
        while (requests.size() < GENERATED) {
            requests.add(random(random));
        }
        return requests;
    }

    private Request random(Random random) {
        String s = hostileString(random);
        String q = URLEncoder.encode(s, StandardCharsets.UTF_8);
        String j = jsonString(s);
        String n = pick(random, NUMBERS);
        String uuid = random.nextInt(4) == 0 ? JOB : random.nextBoolean() ? UUID.randomUUID().toString() : q;
        return switch (random.nextInt(20)) {
            case 0 -> get("/jobs?" + pick(random, PARAMS) + "=" + q + (random.nextBoolean() ? ""
                    : "&"
                            + pick(random, PARAMS) + "=" + (random.nextBoolean() ? "" : q)));
            case 1 -> get("/jobs/" + (q.isEmpty() ? "%20" : q));
            case 2 -> json("POST", "/jobs", "{\"input_text\": " + pick(random, j, n, "[" + j + "]", "{\"a\": " + j + "}")
                    + (random.nextInt(4) == 0 ? ", \"input_text\": " + j : "") + "}");
            case 3 -> json("POST", "/jobs/batch", "{\"jobs\": [" + batch(random, j) + "]}");
            case 4 -> get("/jobs/stats" + (random.nextBoolean() ? "" : "?limit=" + q));
            case 5 -> json("POST", "/jobs/claim", "{\"worker_id\": " + pick(random, j, n, "null") + ", \"limit\": "
                    + pick(random, n, j) + (random.nextInt(5) == 0 ? ", \"limit\": 1" : "") + "}");
            case 6 -> json("POST", "/jobs/" + uuid + "/complete", "{\"result_score\": " + pick(random, n, j)
                    + ", \"result_label\": " + pick(random, j, n) + ", \"worker_id\": " + pick(random, j, "null") + "}");
            case 7 -> json("POST", "/jobs/" + uuid + "/fail", "{\"error\": " + pick(random, j, n, "null")
                    + ", \"worker_id\": " + pick(random, j, n) + "}");
            case 8 -> json("POST", "/jobs/" + uuid + "/heartbeat", random.nextBoolean() ? ""
                    : "{\"worker_id\": "
                            + pick(random, j, n) + "}");
            case 9 -> json("POST", "/jobs/results", "{\"results\": [" + results(random, j, n) + "]}");
            case 10 -> admin("POST", "/admin/archive-jobs?" + pick(random, "days_old", "batch_size") + "="
                    + pick(random, q, URLEncoder.encode(n, StandardCharsets.UTF_8), ""));
            case 11 -> admin("GET", "/admin/archive-runs/" + (q.isEmpty() ? "0" : q));
            case 12 ->
                admin("GET", "/admin/archive-runs?limit=" + pick(random, q, URLEncoder.encode(n, StandardCharsets.UTF_8), ""));
            case 13 -> admin("GET", "/admin/explain?query_type=" + q);
            case 14 -> admin("GET", "/admin/db-health" + (random.nextBoolean() ? "" : "?x=" + q));
            case 15 -> new Request("POST", pick(random, "/jobs", "/jobs/batch", "/jobs/claim", "/jobs/results"),
                    pick(random, "text/plain", "application/xml", "application/x-www-form-urlencoded", "application/json",
                            "application/json; charset=latin1", "multipart/form-data"),
                    s, false);
            case 16 -> new Request(pick(random, "PUT", "DELETE", "PATCH", "OPTIONS", "GET"),
                    pick(random, "/jobs", "/jobs/" + uuid, "/jobs/batch", "/jobs/results", "/admin/archive-jobs"),
                    null, null, random.nextBoolean());
            case 17 -> get(randomPath(random));
            case 18 -> json("POST", pick(random, "/jobs", "/jobs/claim", "/jobs/results", "/jobs/batch"),
                    truncated(random, "{\"input_text\": " + j + ", \"results\": [{\"job_uuid\": \"" + JOB + "\"}]}"));
            default -> get("/jobs?created_after=" + URLEncoder.encode(date(random), StandardCharsets.UTF_8)
                    + "&created_before=" + URLEncoder.encode(date(random), StandardCharsets.UTF_8)
                    + (random.nextBoolean() ? "" : "&order=asc"));
        };
    }

    private static String batch(Random random, String hostile) {
        int size = random.nextInt(8) == 0 ? 1_000 : 1 + random.nextInt(5);
        int bad = random.nextInt(size);
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < size; i++) {
            items.append(i == 0 ? "" : ",").append("{\"input_text\": ").append(i == bad ? hostile : "\"ok " + i + "\"")
                    .append('}');
        }
        return items.toString();
    }

    private static String results(Random random, String hostile, String number) {
        int size = 1 + random.nextInt(4);
        int bad = random.nextInt(size);
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < size; i++) {
            String fields = i != bad ? "\"status\": \"failed\", \"error\": \"e\""
                    : pick(random, "\"status\": " + hostile, "\"status\": \"failed\", \"error\": " + hostile,
                            "\"status\": \"completed\", \"result_score\": " + number,
                            "\"status\": \"completed\", \"result_label\": " + hostile,
                            "\"status\": \"failed\", \"error\": \"e\", \"worker_id\": " + hostile,
                            "\"status\": \"failed\", \"status\": \"completed\"");
            items.append(i == 0 ? "" : ",").append("{\"job_uuid\": ")
                    .append(random.nextInt(6) == 0 ? hostile : "\"" + UUID.randomUUID() + "\"")
                    .append(", ").append(fields).append('}');
        }
        return items.toString();
    }

    private static String hostileString(Random random) {
        if (random.nextBoolean()) {
            return pick(random, STRINGS);
        }
        char[] alphabet = { '\0', '\ud800', '\udfff', '\u202e', '"', '\\', '\'', '%', '&', '=', '?', '#', '/', '\n',
                '\u0007', 'a', 'Z', '9', ' ', '\u00e9', '\uffff', '\ufeff' };
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(10) == 0 ? 12_000 : random.nextInt(30);
        for (int i = 0; i < length; i++) {
            text.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return text.toString();
    }

    private static String date(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> pick(random, "0000-01-01", "9999-12-31", "2262-04-12", "1677-09-21", "0001-01-01", "",
                    "+10000-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z",
                    "9999-12-31T23:59:59.9999999Z", "2026-05-01T12:00:00+18:00", "2026-05-01T12:00:00-18:00");
            case 1 -> String.format("%04d-%02d-%02d", random.nextInt(10_000), 1 + random.nextInt(12), 1 + random.nextInt(28));
            case 2 -> String.format("%+06d-01-01T00:00:00Z", random.nextInt(2_000_000) - 1_000_000);
            default -> hostileString(random);
        };
    }

    private static String randomPath(Random random) {
        StringBuilder path = new StringBuilder();
        int segments = 1 + random.nextInt(4);
        for (int i = 0; i < segments; i++) {
            path.append('/').append(pick(random, "jobs", "admin", "q", Integer.toString(random.nextInt(1 << 30), 36),
                    UUID.randomUUID().toString(), "..", "%2e%2e", "%2F", "stats", "claim"));
        }
        return path.toString();
    }

    private static String truncated(Random random, String json) {
        return json.substring(0, random.nextInt(json.length()));
    }

    /** A JSON string literal that escapes every non-ASCII and control character, lone surrogates included. */
    static String jsonString(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... options) {
        return options[random.nextInt(options.length)];
    }

    private static Request get(String path) {
        return new Request("GET", path, null, null, false);
    }

    private static Request json(String method, String path, String body) {
        return new Request(method, path, "application/json", body, false);
    }

    private static Request admin(String method, String path) {
        return new Request(method, path, null, null, true);
    }
}
