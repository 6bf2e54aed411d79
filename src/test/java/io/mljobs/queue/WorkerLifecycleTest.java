package io.mljobs.queue;

import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** Every transition rule of the worker API, on a database of its own so the queue can be emptied. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "queue"))
class WorkerLifecycleTest {

    @BeforeEach
    void emptyTheQueue() {
        while (!claim("drain", 100).getList("jobs").isEmpty()) {
            // keep claiming until nothing is pending
        }
    }

    @Test
    void claimTakesTheOldestPendingJobsWithTheirInput() {
        List<String> submitted = submit("a", "b", "c");
        JsonPath claimed = claim("worker-1", 2);

        assertEquals(submitted.subList(0, 2), claimed.getList("jobs.job_uuid"));
        assertEquals(List.of("a", "b"), claimed.getList("jobs.input_text"));
        assertEquals(List.of("running", "running"), claimed.getList("jobs.status"));
        assertEquals(List.of("worker-1", "worker-1"), claimed.getList("jobs.worker_id"));
        assertTrue(claimed.getList("jobs.started_at").stream().allMatch(v -> v != null));
        assertEquals(submitted.subList(2, 3), claim("worker-2", 5).getList("jobs.job_uuid"));
    }

    @Test
    void claimOnAnEmptyQueueAnswersAnEmptyListAtOnce() {
        assertTrue(claim("idle", 10).getList("jobs").isEmpty());
    }

    @Test
    void runningJobCompletesWithItsResult() {
        String job = submitAndClaim("w");
        given().contentType(ContentType.JSON).body("{\"result_score\": 0.97, \"result_label\": \"cat\"}")
                .post("/jobs/" + job + "/complete")
                .then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("result_score", equalTo(0.97f))
                .body("result_label", equalTo("cat"))
                .body("completed_at", notNullValue());
        given().get("/jobs/" + job).then().body("status", equalTo("completed"));
    }

    @Test
    void runningJobFailsWithItsError() {
        String job = submitAndClaim("w");
        given().contentType(ContentType.JSON).body("{\"error\": \"CUDA out of memory\"}")
                .post("/jobs/" + job + "/fail")
                .then().statusCode(200)
                .body("status", equalTo("failed"))
                .body("error", equalTo("CUDA out of memory"))
                .body("completed_at", notNullValue())
                .body("result_score", nullValue());
    }

    @Test
    void onlyARunningJobCanFinish() {
        String done = submitAndClaim("w");
        complete(done, "{}").statusCode(200);
        expectProblem(complete(done, "{}"), 409, "invalid-transition").body("detail", containsString("is completed"));
        expectProblem(fail(done, "{\"error\": \"x\"}"), 409, "invalid-transition");

        String failed = submitAndClaim("w");
        fail(failed, "{\"error\": \"x\"}").statusCode(200);
        expectProblem(complete(failed, "{}"), 409, "invalid-transition").body("detail", containsString("is failed"));

        String pending = submit("p").get(0);
        expectProblem(complete(pending, "{}"), 409, "invalid-transition").body("detail", containsString("is pending"));
        expectProblem(fail(pending, "{\"error\": \"x\"}"), 409, "invalid-transition");
    }

    @Test
    void anotherWorkersReportIsAConflict() {
        String job = submitAndClaim("owner");
        expectProblem(complete(job, "{\"worker_id\": \"intruder\"}"), 409, "invalid-transition")
                .body("detail", containsString("another worker"));
        complete(job, "{\"worker_id\": \"owner\"}").statusCode(200);
    }

    @Test
    void unknownJobIsNotFoundAndMalformedUuidIsBadRequest() {
        String unknown = "3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b";
        expectProblem(complete(unknown, "{}"), 404, "not-found");
        expectProblem(fail(unknown, "{\"error\": \"x\"}"), 404, "not-found");
        expectProblem(given().contentType(ContentType.JSON).body("{}").post("/jobs/" + unknown + "/heartbeat").then(),
                404, "not-found");
        expectProblem(complete("nope", "{}"), 400, "invalid-parameter");
        expectProblem(given().contentType(ContentType.JSON).body("{}").post("/jobs/nope/heartbeat").then(), 400,
                "invalid-parameter");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{}", "{\"error\": \"\"}" })
    void failWithoutAnErrorIsAnInvalidParameter(String body) {
        expectProblem(fail(submitAndClaim("w"), body), 400, "invalid-parameter");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"error\": 5, \"worker_id\": []}", "not json" })
    void failReportThatIsNotOneIsAMalformedBody(String body) {
        expectProblem(fail(submitAndClaim("w"), body), 400, "malformed-body");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{}", "{\"worker_id\": \"\"}", "{\"worker_id\": \"w\", \"limit\": 0}",
            "{\"worker_id\": \"w\", \"limit\": 101}" })
    void claimOutsideItsRulesIsAnInvalidParameter(String body) {
        expectProblem(given().contentType(ContentType.JSON).body(body).post("/jobs/claim").then(), 400, "invalid-parameter");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"worker_id\": \"w\", \"limit\": \"many\"}", "[]", "garbage" })
    void claimThatIsNotOneIsAMalformedBody(String body) {
        expectProblem(given().contentType(ContentType.JSON).body(body).post("/jobs/claim").then(), 400, "malformed-body");
    }

    @Test
    void heartbeatExtendsTheLeaseOfARunningJobOnly() {
        String job = submitAndClaim("w");
        JsonPath lease = given().contentType(ContentType.JSON).body("{\"worker_id\": \"w\"}")
                .post("/jobs/" + job + "/heartbeat")
                .then().statusCode(200).body("worker_id", equalTo("w")).extract().jsonPath();
        Instant beat = Instant.parse(lease.getString("heartbeat_at"));
        assertEquals(Duration.ofMinutes(10), Duration.between(beat, Instant.parse(lease.getString("lease_expires_at"))));

        expectProblem(given().contentType(ContentType.JSON).body("{\"worker_id\": \"other\"}")
                .post("/jobs/" + job + "/heartbeat").then(), 409, "invalid-transition");
        String pending = submit("p").get(0);
        expectProblem(given().contentType(ContentType.JSON).body("{}").post("/jobs/" + pending + "/heartbeat").then(),
                409, "invalid-transition");
    }

    @Test
    void batchResultsReportEachOutcomeInOrder() {
        String toComplete = submitAndClaim("w");
        String toFail = submitAndClaim("w");
        String pending = submit("p").get(0);
        String unknown = "3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b";
        String body = """
                {"results": [
                  {"job_uuid": "%s", "status": "completed", "result_score": 0.5, "result_label": "dog"},
                  {"job_uuid": "%s", "status": "failed", "error": "timeout"},
                  {"job_uuid": "%s", "status": "completed"},
                  {"job_uuid": "%s", "status": "completed"}
                ]}""".formatted(toComplete, toFail, pending, unknown);

        JsonPath report = given().contentType(ContentType.JSON).body(body).post("/jobs/results")
                .then().statusCode(200).extract().jsonPath();

        assertEquals(List.of(toComplete, toFail, pending, unknown), report.getList("results.job_uuid"));
        assertEquals(List.of("completed", "failed", "conflict", "not_found"), report.getList("results.outcome"));
        assertEquals("pending", report.getString("results[2].status"));
        given().get("/jobs/" + toComplete).then().body("result_label", equalTo("dog"));
        given().get("/jobs/" + toFail).then().body("error", equalTo("timeout"));
        given().get("/jobs/" + pending).then().body("status", equalTo("pending"));
    }

    @Test
    void badResultNamesItsIndexAndAppliesNothing() {
        String job = submitAndClaim("w");
        String[][] bodiesAndTypes = {
                { "{\"results\": [{\"job_uuid\": \"%s\", \"status\": \"completed\"}, {\"job_uuid\": \"%s\"}]}",
                        "invalid-parameter" },
                { "{\"results\": [{\"job_uuid\": \"%s\", \"status\": \"completed\"}, {\"job_uuid\": \"%s\", \"status\": \"failed\"}]}",
                        "invalid-parameter" },
                { "{\"results\": [{\"job_uuid\": \"%s\", \"status\": \"completed\"}, {\"job_uuid\": \"bad-%s\", \"status\": \"completed\"}]}",
                        "malformed-body" },
        };
        for (String[] body : bodiesAndTypes) {
            expectProblem(given().contentType(ContentType.JSON).body(body[0].formatted(job, job)).post("/jobs/results")
                    .then(), 400, body[1]).body("detail", containsString("results[1]"));
        }
        expectProblem(given().contentType(ContentType.JSON).body("{\"results\": []}").post("/jobs/results").then(), 400,
                "invalid-parameter");
        given().get("/jobs/" + job).then().body("status", equalTo("running"));
    }

    static List<String> submit(String... inputs) {
        StringBuilder body = new StringBuilder("{\"jobs\": [");
        for (int i = 0; i < inputs.length; i++) {
            body.append(i == 0 ? "" : ", ").append("{\"input_text\": \"").append(inputs[i]).append("\"}");
        }
        return given().contentType(ContentType.JSON).body(body.append("]}").toString()).post("/jobs/batch")
                .then().statusCode(201).extract().jsonPath().getList("job_uuids");
    }

    static JsonPath claim(String worker, int limit) {
        return given().contentType(ContentType.JSON).body(Map.of("worker_id", worker, "limit", limit))
                .post("/jobs/claim").then().statusCode(200).extract().jsonPath();
    }

    private static String submitAndClaim(String worker) {
        String job = submit("work").get(0);
        assertEquals(List.of(job), claim(worker, 1).getList("jobs.job_uuid"));
        return job;
    }

    private static io.restassured.response.ValidatableResponse complete(String job, String body) {
        return given().contentType(ContentType.JSON).body(body).post("/jobs/" + job + "/complete").then();
    }

    private static io.restassured.response.ValidatableResponse fail(String job, String body) {
        return given().contentType(ContentType.JSON).body(body).post("/jobs/" + job + "/fail").then();
    }
}
