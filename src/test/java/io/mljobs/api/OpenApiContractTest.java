package io.mljobs.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.mljobs.testing.Admin;
import io.mljobs.testing.Contract;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;

/**
 * The OpenAPI document is the API: every call here goes through a filter built from the served
 * document, which fails the test when a request or an answer (status, headers, body) is not what the
 * document says. The last test proves that every operation of the document was called, with each of
 * its documented statuses that a request alone can bring about, so a new endpoint or status without
 * contract coverage fails the build. The first one keeps the committed copy of the document
 * (src/main/openapi/openapi.yaml, from which the test client is generated and which deploy/check
 * lints) equal to the served one.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "contract"))
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiContractTest {

    static final Path COMMITTED = Path.of("src/main/openapi/openapi.yaml");
    static final String REFRESH = "./mvnw test -Dtest=OpenApiContractTest -Dopenapi.refresh=true";
    private static final String UNKNOWN = "3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b";
    private static final Duration WAIT = Duration.ofSeconds(30);

    /**
     * Statuses no single request brings about here, each covered by its own test: 413 (a 16 MB body,
     * ServiceLimitProblemsTest), 429 (ten failed logins, LoginThrottleTest), 500 (a failed archival run,
     * ArchiveTest), 503 (an overloaded or missing database, PoolExhaustionTest and DatabaseFailuresTest);
     * and 401/403 of operations open to anonymous callers, which need mljobs.security.jobs-api on
     * (JobApiAccessTest).
     */
    private static final Set<Integer> NOT_BY_A_REQUEST = Set.of(413, 429, 500, 503);

    private static Contract contract;

    @Inject
    Pool pool;

    @BeforeEach
    void contract() {
        // Not in @BeforeAll: RestAssured points at the application only once it has started.
        if (contract == null) {
            contract = Contract.served();
        }
    }

    @Test
    @Order(0)
    void servedDocumentIsTheCommittedOne() throws IOException {
        String served = given().get("/q/openapi").then().statusCode(200).extract().asString();
        if (Boolean.getBoolean("openapi.refresh")) {
            Files.createDirectories(COMMITTED.getParent());
            Files.writeString(COMMITTED, served);
            return;
        }
        String committed = Files.exists(COMMITTED) ? Files.readString(COMMITTED) : "";
        if (!committed.equals(served)) {
            fail("The served OpenAPI document differs from " + COMMITTED + " (" + firstDifference(committed, served)
                    + "). If the change is meant, refresh the copy: " + REFRESH);
        }
    }

    @Test
    @Order(1)
    void submitFetchAndList() {
        String since = Instant.now().minusSeconds(1).toString();
        String job = strict().contentType(ContentType.JSON).body("{\"input_text\": \"contract\"}").post("/jobs").then()
                .statusCode(201).extract().path("job_uuid");
        responsesOnly().contentType(ContentType.JSON).body("{\"input_text\": \"\"}").post("/jobs").then().statusCode(400);
        responsesOnly().contentType(ContentType.JSON).body("{\"input_text\": ").post("/jobs").then().statusCode(400);
        responsesOnly().contentType(ContentType.TEXT).body("contract").post("/jobs").then().statusCode(415);

        strict().contentType(ContentType.JSON).body("{\"jobs\": [{\"input_text\": \"a\"}, {\"input_text\": \"b\"}]}")
                .post("/jobs/batch").then().statusCode(201);
        responsesOnly().contentType(ContentType.JSON).body("{\"jobs\": []}").post("/jobs/batch").then().statusCode(400);
        responsesOnly().contentType(ContentType.TEXT).body("a").post("/jobs/batch").then().statusCode(415);

        strict().get("/jobs/" + job).then().statusCode(200).body("input_text", equalTo("contract"))
                .body("result_score", nullValue());
        strict().get("/jobs/" + UNKNOWN).then().statusCode(404);
        responsesOnly().get("/jobs/not-a-uuid").then().statusCode(400);

        String cursor = strict().queryParam("limit", 2).queryParam("created_after", since).queryParam("order", "asc")
                .queryParam("status", "pending").get("/jobs").then().statusCode(200)
                .body("pagination.has_more", equalTo(true)).extract().path("pagination.next_cursor");
        strict().queryParam("limit", 2).queryParam("cursor", cursor).queryParam("created_after", since)
                .queryParam("status", "pending").get("/jobs").then().statusCode(200)
                .body("pagination.next_cursor", nullValue()).body("jobs[0].input_text", nullValue());
        strict().queryParam("created_before", "2026-01-01").get("/jobs").then().statusCode(200);
        responsesOnly().queryParam("limit", 0).get("/jobs").then().statusCode(400);
        responsesOnly().queryParam("cursor", "made-up").get("/jobs").then().statusCode(400);

        strict().get("/jobs/stats").then().statusCode(200).body("by_status.pending", notNullValue());
    }

    @Test
    @Order(2)
    void workerProtocol() {
        List<String> jobs = claimFresh(4);
        String beaten = jobs.get(0);
        strict().contentType(ContentType.JSON).body("{\"worker_id\": \"contract\"}").post("/jobs/" + beaten + "/heartbeat")
                .then().statusCode(200).body("lease_expires_at", notNullValue());
        strict().contentType(ContentType.JSON).body("{}").post("/jobs/" + UNKNOWN + "/heartbeat").then().statusCode(404);
        responsesOnly().contentType(ContentType.JSON).body("{\"worker_id\": ").post("/jobs/" + beaten + "/heartbeat")
                .then().statusCode(400);
        responsesOnly().contentType(ContentType.TEXT).body("x").post("/jobs/" + beaten + "/heartbeat").then()
                .statusCode(415);

        strict().contentType(ContentType.JSON)
                .body("{\"result_score\": 0.9, \"result_label\": \"cat\", \"worker_id\": \"contract\"}")
                .post("/jobs/" + beaten + "/complete").then().statusCode(200).body("status", equalTo("completed"));
        strict().contentType(ContentType.JSON).body("{}").post("/jobs/" + beaten + "/complete").then().statusCode(409);
        strict().contentType(ContentType.JSON).body("{}").post("/jobs/" + beaten + "/heartbeat").then().statusCode(409);
        strict().contentType(ContentType.JSON).body("{}").post("/jobs/" + UNKNOWN + "/complete").then().statusCode(404);
        responsesOnly().contentType(ContentType.JSON).body("{\"result_score\": \"high\"}")
                .post("/jobs/" + jobs.get(1) + "/complete").then().statusCode(400);
        responsesOnly().contentType(ContentType.TEXT).body("x").post("/jobs/" + jobs.get(1) + "/complete").then()
                .statusCode(415);

        strict().contentType(ContentType.JSON).body("{\"error\": \"out of memory\", \"worker_id\": \"contract\"}")
                .post("/jobs/" + jobs.get(1) + "/fail").then().statusCode(200).body("error", equalTo("out of memory"));
        strict().contentType(ContentType.JSON).body("{\"error\": \"again\"}").post("/jobs/" + jobs.get(1) + "/fail").then()
                .statusCode(409);
        strict().contentType(ContentType.JSON).body("{\"error\": \"x\"}").post("/jobs/" + UNKNOWN + "/fail").then()
                .statusCode(404);
        responsesOnly().contentType(ContentType.JSON).body("{}").post("/jobs/" + jobs.get(2) + "/fail").then()
                .statusCode(400);
        responsesOnly().contentType(ContentType.TEXT).body("x").post("/jobs/" + jobs.get(2) + "/fail").then()
                .statusCode(415);

        strict().contentType(ContentType.JSON).body("{\"results\": ["
                + "{\"job_uuid\": \"" + jobs.get(2) + "\", \"status\": \"completed\", \"result_score\": 0.5},"
                + "{\"job_uuid\": \"" + jobs.get(3) + "\", \"status\": \"failed\", \"error\": \"bad input\"},"
                + "{\"job_uuid\": \"" + beaten + "\", \"status\": \"completed\"},"
                + "{\"job_uuid\": \"" + UNKNOWN + "\", \"status\": \"failed\", \"error\": \"x\"}]}")
                .post("/jobs/results").then().statusCode(200)
                .body("results.outcome", equalTo(List.of("completed", "failed", "conflict", "not_found")))
                .body("results[3].status", nullValue());
        responsesOnly().contentType(ContentType.JSON).body("{\"results\": []}").post("/jobs/results").then()
                .statusCode(400);
        responsesOnly().contentType(ContentType.TEXT).body("x").post("/jobs/results").then().statusCode(415);

        strict().contentType(ContentType.JSON).body("{\"worker_id\": \"contract\", \"limit\": 100}").post("/jobs/claim")
                .then().statusCode(200);
        responsesOnly().contentType(ContentType.JSON).body("{\"worker_id\": \"contract\", \"limit\": 0}")
                .post("/jobs/claim").then().statusCode(400);
        responsesOnly().contentType(ContentType.TEXT).body("x").post("/jobs/claim").then().statusCode(415);
    }

    @Test
    @Order(3)
    void archivalRuns() {
        seedOldFinishedJobs(2_000);
        // A writer holds the archive table, so the run outlasts the sync wait (5 s): 202.
        SqlConnection writer = pool.getConnection().await().atMost(WAIT);
        String location;
        try {
            Transaction tx = writer.begin().await().atMost(WAIT);
            writer.query("LOCK TABLE ml_jobs_archive IN SHARE MODE").execute().await().atMost(WAIT);
            location = admin().queryParam("batch_size", 100).post("/admin/archive-jobs").then().statusCode(202)
                    .extract().header("Location");
            tx.rollback().await().atMost(WAIT);
        } finally {
            writer.close().await().atMost(WAIT);
        }
        String path = URI.create(location).getPath();
        waitUntilEnded(path);
        // Another replica's run holds the archival lock: 409. (A second request while this service's own
        // run waits on a table lock would queue for a background connection the run is holding.)
        SqlConnection replica = pool.getConnection().await().atMost(WAIT);
        try {
            replica.query("SELECT pg_advisory_lock('ml_jobs_archive'::regclass::oid::int, 0)").execute().await()
                    .atMost(WAIT);
            admin().post("/admin/archive-jobs").then().statusCode(409);
        } finally {
            replica.query("SELECT pg_advisory_unlock('ml_jobs_archive'::regclass::oid::int, 0)").execute().await()
                    .atMost(WAIT);
            replica.close().await().atMost(WAIT);
        }
        admin().queryParam("days_old", 30).queryParam("batch_size", 5000).post("/admin/archive-jobs").then()
                .statusCode(200).body("run.state", equalTo("succeeded"));
        responsesOnly().auth().preemptive().basic(Admin.USER, Admin.PASSWORD).queryParam("days_old", 0)
                .post("/admin/archive-jobs").then().statusCode(400);

        admin().get(path).then().statusCode(200);
        // Reading the archive: an archived job with its archived_at, and its listing.
        String archived = pool.query("SELECT job_uuid::text FROM ml_jobs_archive LIMIT 1").execute().await().atMost(WAIT)
                .iterator().next().getString(0);
        strict().get("/jobs/" + archived).then().statusCode(200).body("archived_at", notNullValue());
        String next = strict().queryParam("limit", 2).queryParam("status", "completed").get("/archive/jobs").then()
                .statusCode(200).body("jobs[0].archived_at", notNullValue()).extract().path("pagination.next_cursor");
        strict().queryParam("limit", 2).queryParam("cursor", next).get("/archive/jobs").then().statusCode(200);
        responsesOnly().queryParam("limit", 0).get("/archive/jobs").then().statusCode(400);
        admin().get("/admin/archive-runs/999999").then().statusCode(404);
        responsesOnly().auth().preemptive().basic(Admin.USER, Admin.PASSWORD).get("/admin/archive-runs/abc").then()
                .statusCode(400);
        admin().queryParam("limit", 5).get("/admin/archive-runs").then().statusCode(200);
        responsesOnly().auth().preemptive().basic(Admin.USER, Admin.PASSWORD).queryParam("limit", 101)
                .get("/admin/archive-runs").then().statusCode(400);
    }

    @Test
    @Order(4)
    void databaseHealthAndPlans() {
        admin().get("/admin/db-health").then().statusCode(200);
        for (String type : List.of("pending", "recent", "status_count", "date_range", "deep_page")) {
            admin().queryParam("query_type", type).get("/admin/explain").then().statusCode(200)
                    .body("query_type", equalTo(type));
        }
        responsesOnly().auth().preemptive().basic(Admin.USER, Admin.PASSWORD).queryParam("query_type", "everything")
                .get("/admin/explain").then().statusCode(400);
    }

    @Test
    @Order(5)
    void adminOperationsRefuseOthers() {
        for (String endpoint : List.of("POST /admin/archive-jobs", "GET /admin/archive-runs/1", "GET /admin/archive-runs",
                "GET /admin/db-health", "GET /admin/explain?query_type=pending")) {
            String[] parts = endpoint.split(" ");
            responsesOnly().request(parts[0], parts[1]).then().statusCode(401);
            responsesOnly().auth().preemptive().basic("viewer", "viewer").request(parts[0], parts[1]).then()
                    .statusCode(403);
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void everyOperationOfTheDocumentWasExercised() {
        Map<String, Set<Integer>> seen = contract.seen();
        Map<String, Set<Integer>> missing = new TreeMap<>();
        for (Contract.Operation operation : contract.operations()) {
            Set<Integer> expected = new TreeSet<>(operation.statuses());
            expected.removeAll(NOT_BY_A_REQUEST);
            if (operation.anonymous()) {
                expected.removeAll(Set.of(401, 403));
            }
            expected.removeAll(seen.getOrDefault(operation.key(), Set.of()));
            if (!expected.isEmpty()) {
                missing.put(operation.key(), expected);
            }
        }
        assertTrue(missing.isEmpty(), "documented but never exercised through the contract filter: " + missing
                + "; exercised: " + seen);
        assertEquals(contract.operations().size(), seen.size(), seen.toString());
    }

    private static RequestSpecification strict() {
        return given().filter(contract.strict());
    }

    private static RequestSpecification responsesOnly() {
        return given().filter(contract.responsesOnly());
    }

    private static RequestSpecification admin() {
        return strict().auth().preemptive().basic(Admin.USER, Admin.PASSWORD);
    }

    /** Claims everything pending, then submits n jobs and claims exactly those. */
    private static List<String> claimFresh(int n) {
        while (!given().contentType(ContentType.JSON).body("{\"worker_id\": \"drain\", \"limit\": 100}").post("/jobs/claim")
                .then().statusCode(200).extract().jsonPath().getList("jobs").isEmpty()) {
            // drained another 100
        }
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            submitted.add(given().contentType(ContentType.JSON).body("{\"input_text\": \"work " + i + "\"}").post("/jobs")
                    .then().statusCode(201).extract().path("job_uuid"));
        }
        List<String> claimed = strict().contentType(ContentType.JSON)
                .body("{\"worker_id\": \"contract\", \"limit\": " + n + "}").post("/jobs/claim").then().statusCode(200)
                .body("jobs[0].input_text", notNullValue()).extract().jsonPath().getList("jobs.job_uuid");
        assertEquals(new TreeSet<>(submitted), new TreeSet<>(claimed));
        return submitted;
    }

    private void seedOldFinishedJobs(int n) {
        pool.query("""
                INSERT INTO ml_jobs (input_text, status, created_at, started_at, completed_at, worker_id, result_score)
                SELECT 'old ' || g, 'completed', now() - interval '40 days' - g * interval '1 second',
                       now() - interval '40 days', now() - interval '40 days', 'w', 0.5
                  FROM generate_series(1, %d) AS g
                """.formatted(n)).execute().await().atMost(WAIT);
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitUntilEnded(String runPath) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!"running".equals(given().auth().preemptive().basic(Admin.USER, Admin.PASSWORD).get(runPath).then()
                    .statusCode(200).extract().path("state"))) {
                return;
            }
            sleep();
        }
        fail("archival run " + runPath + " still going after " + WAIT);
    }

    /** Where two texts first differ, by line, for a message that says what changed. */
    static String firstDifference(String expected, String actual) {
        String[] a = expected.split("\n", -1);
        String[] b = actual.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String left = i < a.length ? a[i] : "<end>";
            String right = i < b.length ? b[i] : "<end>";
            if (!left.equals(right)) {
                return "first at line " + (i + 1) + ": committed \"" + left.strip() + "\", served \"" + right.strip() + "\"";
            }
        }
        return "same lines";
    }
}
