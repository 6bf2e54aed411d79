package io.mljobs.archive;

import static io.mljobs.testing.Admin.asAdmin;
import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * Reading the archive: GET /jobs/{job_uuid} finds an archived job too, with its archived_at (a live job's JSON
 * has none), and GET /archive/jobs pages through the archive with GET /jobs' cursors, filters and problems.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "archive_reads"))
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchivedJobsApiTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Pool pool;

    private boolean archived;

    // Not in @BeforeAll: RestAssured points at the application only once it has started.
    @BeforeEach
    void archiveSome() {
        if (archived) {
            return;
        }
        archived = true;
        // 60 finished jobs, 20 of them failed, created a minute apart 40 days ago (some at the same instant), and
        // 5 live ones.
        sql("""
                INSERT INTO ml_jobs (input_text, status, created_at, completed_at)
                SELECT 'archived ' || g, CASE WHEN g % 3 = 0 THEN 'failed' ELSE 'completed' END,
                       timestamptz '2026-01-10T00:00:00Z' + (g / 2) * interval '1 minute', now()
                  FROM generate_series(1, 60) AS g
                """);
        sql("INSERT INTO ml_jobs (input_text) SELECT 'live ' || g FROM generate_series(1, 5) AS g");
        asAdmin().queryParam("days_old", 1).post("/admin/archive-jobs").then().statusCode(200)
                .body("archived_count", equalTo(60));
    }

    @Test
    void anArchivedJobIsFoundWithEveryFieldAndWhenItWasArchived() {
        Row archived = one("SELECT job_uuid::text, id, archived_at FROM ml_jobs_archive WHERE input_text = 'archived 7'");
        JsonPath job = given().get("/jobs/" + archived.getString(0)).then().statusCode(200).extract().jsonPath();
        assertEquals("archived 7", job.getString("input_text"));
        assertEquals(archived.getLong(1), job.getLong("id"));
        assertEquals("completed", job.getString("status"));
        assertEquals(archived.getOffsetDateTime(2).toInstant(), java.time.Instant.parse(job.getString("archived_at")));
    }

    @Test
    void aLiveJobIsAnsweredAsBeforeWithoutArchivedAt() {
        String live = one("SELECT job_uuid::text FROM ml_jobs LIMIT 1").getString(0);
        Map<String, Object> job = given().get("/jobs/" + live).then().statusCode(200).extract().jsonPath().getMap("");
        assertFalse(job.containsKey("archived_at"), job.toString());
        assertEquals("pending", job.get("status"));
        expectProblem(given().get("/jobs/3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b").then(), 404, "not-found");
    }

    @ParameterizedTest
    @ValueSource(strings = { "asc", "desc" })
    void walkReturnsEveryArchivedJobOnceInOrder(String order) {
        List<Long> expected = ids("SELECT id FROM ml_jobs_archive ORDER BY created_at " + order + ", id " + order);
        assertEquals(expected, walk(Map.of("order", order), 7));
    }

    @Test
    void filtersAreGetJobsFilters() {
        assertEquals(ids("SELECT id FROM ml_jobs_archive WHERE status = 'failed' ORDER BY created_at DESC, id DESC"),
                walk(Map.of("status", "failed"), 6));
        assertEquals(ids("""
                SELECT id FROM ml_jobs_archive
                 WHERE created_at >= '2026-01-10T00:05:00Z' AND created_at < '2026-01-10T00:12:00Z'
                 ORDER BY created_at, id
                """), walk(Map.of("created_after", "2026-01-10T00:05:00Z", "created_before", "2026-01-10T00:12:00Z",
                "order", "asc"), 4));
        assertEquals(List.of(), walk(Map.of("status", "pending"), 10));
    }

    @Test
    void itemsCarryArchivedAtButNoInputTextAndAJobUuidCursorContinuesAfterThatJob() {
        JsonPath first = given().queryParam("limit", 3).queryParam("order", "asc").get("/archive/jobs").then()
                .statusCode(200).body("jobs[0].input_text", nullValue()).extract().jsonPath();
        assertTrue(first.getString("jobs[0].archived_at") != null);
        given().queryParam("limit", 3).queryParam("order", "asc").queryParam("cursor", first.getString("jobs[1].job_uuid"))
                .get("/archive/jobs").then().statusCode(200).body("jobs[0].id", equalTo(first.getInt("jobs[2].id")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "limit=0", "limit=101", "status=archived", "order=sideways", "cursor=made-up", "limit=",
            "created_after=yesterday", "created_after=2026-02-01&created_before=2026-01-01",
            "cursor=3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b" })
    void badListingParameterIsBadRequest(String query) {
        expectProblem(given().urlEncodingEnabled(false).get("/archive/jobs?" + query).then(), 400, "invalid-parameter");
    }

    private List<Long> walk(Map<String, String> filter, int limit) {
        List<Long> seen = new ArrayList<>();
        String cursor = null;
        do {
            var request = given().queryParams(filter).queryParam("limit", limit);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/archive/jobs").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("jobs.id", Long.class));
            cursor = page.getString("pagination.next_cursor");
        } while (cursor != null);
        return seen;
    }

    private List<Long> ids(String sql) {
        List<Long> ids = new ArrayList<>();
        pool.query(sql).execute().await().atMost(WAIT).forEach(row -> ids.add(row.getLong(0)));
        return ids;
    }

    private Row one(String sql) {
        return pool.query(sql).execute().await().atMost(WAIT).iterator().next();
    }

    private void sql(String sql) {
        pool.query(sql).execute().await().atMost(WAIT);
    }
}
