package io.mljobs.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mljobs.job.Cursor;
import io.mljobs.job.Position;
import io.mljobs.job.SortOrder;
import io.mljobs.testing.Admin;
import io.mljobs.testing.JsonHttp;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A thousand malformed or hostile requests across every endpoint: bad UUIDs, huge limits, forged
 * cursors, oversized and wrong-typed bodies, SQL-looking strings. None may get a 5xx or hang.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class HostileRequestsTest {

    private static final String[] STRINGS = {
        "' OR '1'='1", "1; DROP TABLE ml_jobs; --", "$1", "%00", "\\u0000", "../../etc/passwd", "<script>",
        "9".repeat(40), "-1", "NaN", "", " ", "null", "[]", "{}", "\u202e", "x".repeat(5_000),
    };

    @TestHTTPResource("/")
    URI base;

    @Test
    void nothingHostileGetsAServerErrorOrHangs() {
        JsonHttp http = new JsonHttp(base);
        JsonHttp admin = new JsonHttp(base, Admin.BASIC_AUTH);
        List<String[]> requests = new ArrayList<>();
        for (String s : STRINGS) {
            String q = URLEncoder.encode(s, StandardCharsets.UTF_8);
            String j = JsonHttp.quote(s);
            for (String param : List.of("limit", "cursor", "status", "created_after", "created_before", "order")) {
                requests.add(new String[] {"GET", "/jobs?" + param + "=" + q, null, null});
            }
            requests.add(new String[] {"GET", "/jobs/" + q, null, null});
            requests.add(new String[] {"POST", "/jobs", "application/json", "{\"input_text\": " + j + "}"});
            requests.add(new String[] {"POST", "/jobs", "application/json", "{\"input_text\": " + q + "}"});
            requests.add(new String[] {"POST", "/jobs/batch", "application/json", "{\"jobs\": [{\"input_text\": " + j + "}]}"});
            requests.add(new String[] {"POST", "/jobs/claim", "application/json", "{\"worker_id\": " + j + ", \"limit\": " + j + "}"});
            requests.add(new String[] {"POST", "/jobs/" + q + "/complete", "application/json", "{\"result_score\": " + j + "}"});
            requests.add(new String[] {"POST", "/jobs/3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b/fail", "application/json", "{\"error\": " + j + "}"});
            requests.add(new String[] {"POST", "/jobs/" + q + "/heartbeat", "application/json", "{\"worker_id\": " + j + "}"});
            requests.add(new String[] {"POST", "/jobs/results", "application/json", "{\"results\": [{\"job_uuid\": " + j + ", \"status\": " + j + "}]}"});
            requests.add(new String[] {"ADMIN-POST", "/admin/archive-jobs?days_old=" + q + "&batch_size=" + q, null, null});
            requests.add(new String[] {"ADMIN-GET", "/admin/archive-runs/" + q, null, null});
            requests.add(new String[] {"ADMIN-GET", "/admin/archive-runs?limit=" + q, null, null});
            requests.add(new String[] {"ADMIN-GET", "/admin/explain?query_type=" + q, null, null});
            for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded")) {
                requests.add(new String[] {"POST", "/jobs", type, s});
                requests.add(new String[] {"POST", "/jobs/batch", type, s});
                requests.add(new String[] {"POST", "/jobs/claim", type, s});
            }
            requests.add(new String[] {"POST", "/jobs", "application/json", s});
            requests.add(new String[] {"POST", "/jobs/results", "application/json", s});
            requests.add(new String[] {"DELETE", "/jobs/" + q, null, null});
            requests.add(new String[] {"PUT", "/jobs", "application/json", "{}"});
        }
        // Cursors that pass the checksum but carry positions no real cursor has.
        for (long micros : new long[] {Long.MIN_VALUE, Long.MAX_VALUE, -1, 0, 253_402_300_800_000_000L}) {
            for (long id : new long[] {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE}) {
                for (SortOrder order : SortOrder.values()) {
                    String forged = forge(micros, id, order);
                    requests.add(new String[] {"GET", "/jobs?cursor=" + forged, null, null});
                    requests.add(new String[] {"GET", "/jobs?status=pending&cursor=" + forged, null, null});
                }
            }
        }
        // Oversized: past the body limit, and a batch past 1,000 jobs.
        requests.add(new String[] {"POST", "/jobs", "application/json", "{\"input_text\": \"" + "x".repeat(17_000_000) + "\"}"});
        requests.add(new String[] {"POST", "/jobs/batch", "application/json",
            "{\"jobs\": [" + "{\"input_text\": \"x\"},".repeat(5_000) + "{\"input_text\": \"x\"}]}"});
        requests.add(new String[] {"GET", "/jobs?limit=" + "9".repeat(10_000), null, null});
        while (requests.size() < 1_000) {
            requests.add(new String[] {"GET", "/jobs?limit=" + (requests.size() * 7919 % 1000 - 500), null, null});
        }

        Map<Integer, Integer> statuses = new TreeMap<>();
        long slowestMs = 0;
        for (String[] r : requests) {
            long started = System.nanoTime();
            JsonHttp.Reply reply;
            try {
                reply = r[0].startsWith("ADMIN-")
                        ? admin.raw(r[0].substring(6), r[1], r[2], r[3])
                        : http.raw(r[0], r[1], r[2], r[3]);
            } catch (UncheckedIOException e) {
                throw new AssertionError(r[0] + " " + r[1].substring(0, Math.min(r[1].length(), 200)) + " with a body of "
                        + (r[3] == null ? 0 : r[3].length()) + " characters: " + e.getMessage(), e);
            }
            slowestMs = Math.max(slowestMs, (System.nanoTime() - started) / 1_000_000);
            statuses.merge(reply.status(), 1, Integer::sum);
            assertTrue(reply.status() < 500, r[0] + " " + r[1].substring(0, Math.min(r[1].length(), 200)) + " answered "
                    + reply.status() + ": " + reply.body());
        }
        assertTrue(requests.size() >= 1_000);
        assertTrue(slowestMs < 5_000, "slowest " + slowestMs + " ms");
        assertTrue(statuses.getOrDefault(400, 0) > 500, "mostly rejected as bad input: " + statuses);
        assertEquals(0, statuses.keySet().stream().filter(s -> s >= 500).count());
    }

    private static String forge(long micros, long id, SortOrder order) {
        // Same layout and checksum as the service's own cursors; see Cursor.
        return new Cursor(new Position(micros, id), order).encode();
    }
}
