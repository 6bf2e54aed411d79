package io.mljobs.security;

import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/**
 * With mljobs.security.jobs-api on: each part of the job API needs its role (401 without
 * credentials, 403 with another role), and a worker can only act on the jobs its own user claimed.
 */
@QuarkusTest
@TestProfile(JobApiAccessTest.AccessControlOn.class)
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "access"))
class JobApiAccessTest {

    public static class AccessControlOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "mljobs.security.jobs-api", "true",
                    "quarkus.security.users.embedded.users.reader", "reader-pw",
                    "quarkus.security.users.embedded.users.submitter", "submitter-pw",
                    "quarkus.security.users.embedded.users.worker-a", "worker-a-pw",
                    "quarkus.security.users.embedded.roles.worker-a", "worker",
                    "quarkus.security.users.embedded.users.worker-b", "worker-b-pw",
                    "quarkus.security.users.embedded.roles.worker-b", "worker");
        }
    }

    private static final String UNKNOWN = "3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b";

    @ParameterizedTest
    @ValueSource(strings = { "GET /jobs", "GET /jobs/stats", "GET /jobs/" + UNKNOWN, "GET /archive/jobs" })
    void readingNeedsRoleReader(String endpoint) {
        expectProblem(call(endpoint, given(), null).then(), 401, "unauthorized").header("WWW-Authenticate",
                containsString("Basic"));
        expectProblem(call(endpoint, as("submitter"), null).then(), 403, "forbidden");
        expectProblem(call(endpoint, as("worker-a"), null).then(), 403, "forbidden");
        call(endpoint, as("reader"), null).then().statusCode(anyOf(is(200), is(404)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "POST /jobs|{\"input_text\": \"x\"}", "POST /jobs/batch|{\"jobs\": [{\"input_text\": \"x\"}]}" })
    void submittingNeedsRoleSubmitter(String endpointAndBody) {
        String[] parts = endpointAndBody.split("\\|", 2);
        expectProblem(call(parts[0], given(), parts[1]).then(), 401, "unauthorized");
        expectProblem(call(parts[0], as("reader"), parts[1]).then(), 403, "forbidden");
        expectProblem(call(parts[0], as("worker-a"), parts[1]).then(), 403, "forbidden");
        call(parts[0], as("submitter"), parts[1]).then().statusCode(201);
    }

    @ParameterizedTest
    @ValueSource(strings = { "POST /jobs/claim|{\"limit\": 1}", "POST /jobs/" + UNKNOWN + "/heartbeat|{}",
            "POST /jobs/" + UNKNOWN + "/complete|{}", "POST /jobs/" + UNKNOWN + "/fail|{\"error\": \"x\"}",
            "POST /jobs/results|{\"results\": [{\"job_uuid\": \"" + UNKNOWN + "\", \"status\": \"completed\"}]}" })
    void workerOperationsNeedRoleWorker(String endpointAndBody) {
        String[] parts = endpointAndBody.split("\\|", 2);
        expectProblem(call(parts[0], given(), parts[1]).then(), 401, "unauthorized");
        expectProblem(call(parts[0], as("reader"), parts[1]).then(), 403, "forbidden");
        expectProblem(call(parts[0], as("submitter"), parts[1]).then(), 403, "forbidden");
        // Past the role check: claim answers 200, an unknown job 404 (200 with not_found for results).
        call(parts[0], as("worker-a"), parts[1]).then().statusCode(anyOf(is(200), is(404)));
    }

    @Test
    void onlyTheUserThatClaimedAJobCanKeepOrReportIt() {
        String heartbeatJob = submitAndClaimAsA();
        beat("worker-b", heartbeatJob, "{}").statusCode(409).body("detail", containsString("another worker"));
        beat("worker-b", heartbeatJob, "{\"worker_id\": \"worker-a\"}").statusCode(403)
                .body("type", equalTo("/problems/worker-id-mismatch"));
        beat("worker-a", heartbeatJob, "{}").statusCode(200).body("worker_id", equalTo("worker-a"));

        String completeJob = submitAndClaimAsA();
        report("worker-b", completeJob, "complete", "{\"result_score\": 0.5}").statusCode(409);
        report("worker-b", completeJob, "complete", "{\"worker_id\": \"worker-a\"}").statusCode(403);
        report("worker-a", completeJob, "complete", "{\"result_score\": 0.5}").statusCode(200)
                .body("status", equalTo("completed"));

        String failJob = submitAndClaimAsA();
        report("worker-b", failJob, "fail", "{\"error\": \"not mine\"}").statusCode(409);
        report("worker-a", failJob, "fail", "{\"error\": \"mine\"}").statusCode(200).body("status", equalTo("failed"));

        String batchJob = submitAndClaimAsA();
        String results = "{\"results\": [{\"job_uuid\": \"" + batchJob + "\", \"status\": \"completed\"}]}";
        // Another user's result is a conflict, and the job stays the claimer's.
        as("worker-b").contentType(ContentType.JSON).body(results).post("/jobs/results").then().statusCode(200)
                .body("results[0].outcome", equalTo("conflict")).body("results[0].status", equalTo("running"));
        expectProblem(as("worker-b").contentType(ContentType.JSON).body("{\"results\": [{\"job_uuid\": \"" + batchJob
                + "\", \"status\": \"completed\", \"worker_id\": \"worker-a\"}]}").post("/jobs/results").then(), 403,
                "worker-id-mismatch")
                .body("title", equalTo("Forbidden")).body("detail", containsString("results[0].worker_id"));
        as("worker-a").contentType(ContentType.JSON).body(results).post("/jobs/results").then().statusCode(200)
                .body("results[0].outcome", equalTo("completed"));

        as("reader").get("/jobs/" + heartbeatJob).then().statusCode(200).body("status", equalTo("running"))
                .body("worker_id", equalTo("worker-a"));
    }

    @Test
    void aClaimRecordsTheUserAndRefusesAnotherName() {
        submit("named");
        expectProblem(as("worker-a").contentType(ContentType.JSON).body("{\"worker_id\": \"worker-b\", \"limit\": 100}")
                .post("/jobs/claim").then(), 403, "worker-id-mismatch");
        List<String> workers = as("worker-a").contentType(ContentType.JSON)
                .body("{\"worker_id\": \"worker-a\", \"limit\": 100}").post("/jobs/claim").then().statusCode(200)
                .extract().jsonPath().getList("jobs.worker_id");
        assertTrue(!workers.isEmpty());
        assertEquals(List.of("worker-a"), workers.stream().distinct().toList());
    }

    @Test
    void adminEndpointsStillNeedRoleAdmin() {
        expectProblem(as("reader").get("/admin/archive-runs").then(), 403, "forbidden");
        given().auth().preemptive().basic("admin", "test-admin").get("/admin/archive-runs").then().statusCode(200);
    }

    private String submitAndClaimAsA() {
        String job = submit("work");
        // Claims take the oldest pending jobs first: take everything pending, then this one is A's.
        as("worker-a").contentType(ContentType.JSON).body("{\"limit\": 100}").post("/jobs/claim").then().statusCode(200);
        as("reader").get("/jobs/" + job).then().statusCode(200).body("worker_id", equalTo("worker-a"));
        return job;
    }

    private static String submit(String text) {
        return as("submitter").contentType(ContentType.JSON).body("{\"input_text\": \"" + text + "\"}")
                .post("/jobs").then().statusCode(201).extract().path("job_uuid");
    }

    private static ValidatableResponse beat(String user, String job, String body) {
        return as(user).contentType(ContentType.JSON).body(body).post("/jobs/" + job + "/heartbeat").then();
    }

    private static ValidatableResponse report(String user, String job, String action, String body) {
        return as(user).contentType(ContentType.JSON).body(body).post("/jobs/" + job + "/" + action).then();
    }

    private static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, user + "-pw");
    }

    private static Response call(String endpoint, RequestSpecification request, String body) {
        String[] parts = endpoint.split(" ", 2);
        if (parts[0].equals("POST")) {
            return request.contentType(ContentType.JSON).body(body).post(parts[1]);
        }
        return request.get(parts[1]);
    }
}
