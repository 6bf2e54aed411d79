package io.mljobs.job;

import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Walks every page of a few thousand jobs, a hundred of which share each created_at, and checks the
 * walk against a plain SQL listing of the same filter: every job exactly once, in order.
 */
@QuarkusTest
// A database of its own, so that rows other test classes add do not stretch the walks.
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "paging"))
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobPagingTest {

    private static final int JOBS = 3_000;
    private static final int PER_TIMESTAMP = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Pool pool;

    @BeforeAll
    void seed() {
        // 30 distinct timestamps one hour apart in 2020, 100 jobs each, statuses interleaved.
        pool.query("""
                INSERT INTO ml_jobs (input_text, status, created_at)
                SELECT 'paging ' || g,
                       (ARRAY['pending', 'running', 'completed', 'failed'])[1 + g %% 4],
                       timestamptz '2020-01-01 00:00:00+00' + ((g - 1) / %d) * interval '1 hour'
                  FROM generate_series(1, %d) AS g
                """.formatted(PER_TIMESTAMP, JOBS)).execute().await().atMost(Waits.BOUND);
    }

    static Stream<Arguments> walks() {
        List<Arguments> walks = new ArrayList<>();
        List<Map<String, String>> filters = List.of(
                Map.of(),
                Map.of("status", "pending"),
                Map.of("status", "running"),
                Map.of("status", "completed"),
                Map.of("status", "failed"),
                Map.of("created_after", "2020-01-01T05:00:00Z"),
                Map.of("created_before", "2020-01-01T20:00:00Z"),
                Map.of("created_after", "2020-01-01T03:00:00Z", "created_before", "2020-01-01T17:00:00Z"),
                Map.of("status", "failed", "created_after", "2020-01-01", "created_before", "2020-01-01T09:00:00Z"));
        for (Map<String, String> filter : filters) {
            for (String order : List.of("asc", "desc")) {
                walks.add(Arguments.of(filter, order, filter.isEmpty() ? 7 : 37));
            }
        }
        return walks.stream();
    }

    @ParameterizedTest(name = "{0} order={1} limit={2}")
    @MethodSource("walks")
    void walkReturnsEveryMatchingJobExactlyOnceInOrder(Map<String, String> filter, String order, int limit) {
        List<String> expected = expectedUuids(filter, order);
        List<String> walked = walk(filter, order, limit, expected.size());

        assertEquals(expected.size(), walked.size(), "jobs walked");
        assertEquals(walked.size(), new HashSet<>(walked).size(), "no job repeated");
        assertEquals(expected, walked, "same jobs in (created_at, id) order");
    }

    @Test
    void walkCrossesTiesAtEveryPageSize() {
        Map<String, String> seeded = Map.of("created_before", "2020-01-03");
        List<String> expected = expectedUuids(seeded, "desc");
        assertEquals(JOBS, expected.size());
        for (int limit : new int[] { 3, 99, 100 }) {
            assertEquals(expected, walk(seeded, "desc", limit, JOBS), "limit " + limit);
        }
    }

    @Test
    void jobUuidCursorContinuesAfterThatJob() {
        JsonPath first = page(Map.of("limit", "10", "created_before", "2020-01-03"));
        String lastUuid = first.getString("jobs[9].job_uuid");

        JsonPath byUuid = page(Map.of("limit", "10", "created_before", "2020-01-03", "cursor", lastUuid));
        JsonPath byCursor = page(Map.of("limit", "10", "created_before", "2020-01-03",
                "cursor", first.getString("pagination.next_cursor")));

        List<String> continued = byUuid.getList("jobs.job_uuid");
        assertEquals(10, continued.size());
        assertEquals(byCursor.getList("jobs.job_uuid"), continued);
        assertFalse(continued.contains(lastUuid));
    }

    @Test
    void jobUuidCursorOfUnknownJobIsBadRequest() {
        expectProblem(given().queryParam("cursor", "3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b").get("/jobs").then(), 400,
                "invalid-parameter")
                .body("detail", containsString("does not exist"));
    }

    @Test
    void lastPageHasNoCursorAndEmptyRangeIsOnePage() {
        JsonPath empty = page(Map.of("created_after", "2020-01-01T00:30:00Z", "created_before",
                "2020-01-01T00:30:00Z"));
        assertTrue(empty.getList("jobs").isEmpty());
        assertFalse(empty.getBoolean("pagination.has_more"));
        assertNull(empty.getString("pagination.next_cursor"));
    }

    @Test
    void defaultPageIsFiftyNewestWithoutInputText() {
        JsonPath page = page(Map.of());
        assertEquals(50, page.getInt("pagination.limit"));
        assertEquals(50, page.getList("jobs").size());
        assertEquals(Set.of("id", "job_uuid", "status", "result_score", "result_label", "created_at",
                "started_at", "completed_at", "worker_id", "heartbeat_at", "error"), page.getMap("jobs[0]").keySet());
        assertEquals(expectedUuids(Map.of(), "desc").subList(0, 50), page.getList("jobs.job_uuid"));
    }

    @Test
    void cursorKeepsItsOrderWhenOrderIsLeftOut() {
        List<String> expected = expectedUuids(Map.of("created_before", "2020-01-03"), "asc").subList(5, 10);
        String cursor = page(Map.of("limit", "5", "order", "asc", "created_before", "2020-01-03"))
                .getString("pagination.next_cursor");
        assertEquals(expected, page(Map.of("limit", "5", "created_before", "2020-01-03", "cursor", cursor))
                .getList("jobs.job_uuid"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "limit=0", "limit=500", "limit=-1", "limit=abc", "limit=1.5", "limit=101",
            "cursor=garbage!!", "cursor=AAAA", "cursor=%25%25", "status=unknown", "status=PENDING",
            "created_after=yesterday", "created_after=2026-13-01", "created_before=2026-01-01T25:00:00Z",
            "created_after=2026-02-01&created_before=2026-01-01", "order=sideways", "order=DESC" })
    void badListingParameterIsBadRequest(String query) {
        expectProblem(given().urlEncodingEnabled(false).get("/jobs?" + query).then(), 400, "invalid-parameter");
    }

    @Test
    void truncatedOrTamperedCursorIsBadRequest() {
        String cursor = page(Map.of("limit", "1")).getString("pagination.next_cursor");
        char flipped = cursor.charAt(10) == 'A' ? 'B' : 'A';
        String tampered = cursor.substring(0, 10) + flipped + cursor.substring(11);
        for (String bad : List.of(cursor.substring(0, cursor.length() - 3), cursor.substring(0, 5), tampered,
                cursor + "AAAA")) {
            expectProblem(given().queryParam("cursor", bad).get("/jobs").then(), 400, "invalid-parameter")
                    .body("title", containsString("cursor"));
        }
    }

    @Test
    void cursorWithTheOtherOrderIsBadRequest() {
        String descCursor = page(Map.of("limit", "1")).getString("pagination.next_cursor");
        expectProblem(given().queryParam("cursor", descCursor).queryParam("order", "asc").get("/jobs").then(), 400,
                "invalid-parameter");
    }

    private List<String> walk(Map<String, String> filter, String order, int limit, int expectedJobs) {
        List<String> walked = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages <= expectedJobs / limit + 1; pages++) {
            Map<String, String> params = new LinkedHashMap<>(filter);
            params.put("order", order);
            params.put("limit", Integer.toString(limit));
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            // Jackson rather than GPath: a walk reads hundreds of pages.
            JsonNode page = pageTree(params);
            List<String> uuids = new ArrayList<>();
            page.get("jobs").forEach(job -> uuids.add(job.get("job_uuid").asText()));
            walked.addAll(uuids);
            JsonNode next = page.get("pagination").get("next_cursor");
            cursor = next.isNull() ? null : next.asText();
            assertEquals(cursor != null, page.get("pagination").get("has_more").asBoolean(),
                    "has_more matches next_cursor");
            if (cursor == null) {
                return walked;
            }
            assertEquals(limit, uuids.size(), "a page before the last is full");
        }
        throw new AssertionError("walk went on past " + walked.size() + " jobs");
    }

    private static JsonPath page(Map<String, String> params) {
        return new JsonPath(pageBody(params));
    }

    private static JsonNode pageTree(Map<String, String> params) {
        try {
            return JSON.readTree(pageBody(params));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pageBody(Map<String, String> params) {
        RequestSpecification request = given();
        params.forEach(request::queryParam);
        return request.get("/jobs").then().statusCode(200).contentType("application/json").extract().asString();
    }

    /** The oracle: the same filter as plain SQL over the whole table. */
    private List<String> expectedUuids(Map<String, String> filter, String order) {
        StringBuilder where = new StringBuilder("true");
        List<Object> args = new ArrayList<>();
        filter.forEach((name, value) -> {
            // A bare date means its start in UTC, whatever the session's time zone.
            args.add(value.length() == 10 && !name.equals("status") ? value + "T00:00:00Z" : value);
            where.append(switch (name) {
                case "status" -> " AND status = $" + args.size();
                case "created_after" -> " AND created_at >= $" + args.size() + "::text::timestamptz";
                case "created_before" -> " AND created_at < $" + args.size() + "::text::timestamptz";
                default -> throw new IllegalArgumentException(name);
            });
        });
        String sql = "SELECT job_uuid::text FROM ml_jobs WHERE " + where + " ORDER BY created_at " + order
                + ", id " + order;
        List<String> uuids = new ArrayList<>();
        for (Row row : pool.preparedQuery(sql).execute(Tuple.from(args))
                .await().atMost(Waits.BOUND)) {
            uuids.add(row.getString(0));
        }
        assertTrue(filter.isEmpty() || !uuids.isEmpty() || filter.containsKey("created_after"), "oracle found rows");
        return uuids;
    }
}
