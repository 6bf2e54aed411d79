package io.mljobs.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The packaged service (prod profile, `java -jar`, or the native binary where one is built) on a
 * fresh database: the main paths end to end, over HTTP only.
 */
@QuarkusIntegrationTest
@WithTestResource(value = PostgresTestResource.class, initArgs = {
        @ResourceArg(name = "label", value = "it"), @ResourceArg(name = "admin-password", value = "it-admin-password-2026") })
class PackagedServiceIT {

    @Test
    void pageWalkReturnsEveryJobOnce() {
        String since = Instant.now().minusSeconds(1).toString();
        List<String> submitted = submit(230, "walk");
        List<String> walked = new ArrayList<>();
        String cursor = null;
        do {
            var request = given().queryParam("limit", 7).queryParam("created_after", since);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/jobs").then().statusCode(200).extract().jsonPath();
            walked.addAll(page.getList("jobs.job_uuid"));
            cursor = page.getString("pagination.next_cursor");
        } while (cursor != null && walked.size() < 1_000);
        assertEquals(walked.size(), new HashSet<>(walked).size(), "no job twice");
        // A job of the test before may fall in `since`'s one-second margin, so the walk is compared by
        // content: every job this test submitted, each exactly once.
        assertTrue(new HashSet<>(walked).containsAll(submitted), "walked " + walked.size() + " jobs, missing "
                + submitted.stream().filter(uuid -> !walked.contains(uuid)).toList());
    }

    @Test
    void claimCompleteAndCountsAgree() {
        submit(5, "work");
        JsonPath claimed = given().contentType(ContentType.JSON).body("{\"worker_id\": \"it\", \"limit\": 5}")
                .post("/jobs/claim").then().statusCode(200).extract().jsonPath();
        List<String> jobs = claimed.getList("jobs.job_uuid");
        assertEquals(5, jobs.size());
        String results = jobs.stream().map(uuid -> "{\"job_uuid\": \"" + uuid + "\", \"status\": \"completed\", "
                + "\"result_score\": 0.9, \"worker_id\": \"it\"}").collect(Collectors.joining(", ", "{\"results\": [", "]}"));
        given().contentType(ContentType.JSON).body(results).post("/jobs/results").then().statusCode(200)
                .body("results.outcome", equalTo(List.of("completed", "completed", "completed", "completed", "completed")));
        given().get("/jobs/" + jobs.get(0)).then().statusCode(200).body("status", equalTo("completed"));

        JsonPath stats = given().get("/jobs/stats").then().statusCode(200).extract().jsonPath();
        long sum = stats.getLong("by_status.pending") + stats.getLong("by_status.running")
                + stats.getLong("by_status.completed") + stats.getLong("by_status.failed");
        assertEquals(stats.getLong("total"), sum);
        assertTrue(stats.getLong("by_status.completed") >= 5);
    }

    @Test
    void archiveRunsForTheAdminOnly() {
        given().post("/admin/archive-jobs?days_old=1").then().statusCode(401);
        given().auth().preemptive().basic("admin", "wrong").get("/admin/db-health").then().statusCode(401);
        given().auth().preemptive().basic("admin", "it-admin-password-2026").post("/admin/archive-jobs?days_old=1")
                .then().statusCode(200).body("run.state", equalTo("succeeded"));
        given().auth().preemptive().basic("admin", "it-admin-password-2026").get("/admin/db-health").then().statusCode(200)
                .body("tables.table_name", org.hamcrest.Matchers.hasItem("ml_jobs"));
    }

    @Test
    void healthMetricsAndProblems() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/jobs/stats").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString(
                        "mljobs_db_query_seconds_count{outcome=\"success\",query=\"stats.read\",server=\"primary\"}"));
        given().get("/jobs?limit=0").then().statusCode(400).contentType("application/problem+json");
        given().get("/jobs/not-a-uuid").then().statusCode(400).contentType("application/problem+json");
    }

    /** Submits n jobs in one batch; answers their job_uuids. */
    private static List<String> submit(int n, String text) {
        String body = IntStream.range(0, n).mapToObj(i -> "{\"input_text\": \"" + text + " " + i + "\"}")
                .collect(Collectors.joining(", ", "{\"jobs\": [", "]}"));
        return given().contentType(ContentType.JSON).body(body).post("/jobs/batch").then().statusCode(201)
                .extract().jsonPath().getList("job_uuids");
    }
}
