package io.mljobs.api;

import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mljobs.testing.Admin;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** Each hostile value the fuzz test throws, asserted one by one: exact status, type and named field. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class HostileInputTest {

    private static final String NUL = "\\u0000"; // as a JSON escape
    private static final String JOB = "/jobs/3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b";

    private static ValidatableResponse post(String path, String json) {
        return given().contentType(ContentType.JSON).body(json).when().post(path).then();
    }

    private static void invalid(ValidatableResponse response, String field) {
        expectProblem(response, 400, "invalid-parameter")
                .body("type", equalTo("/problems/invalid-parameter"))
                .body("title", equalTo("Invalid parameter '" + field + "'"));
    }

    private static void malformed(ValidatableResponse response, String detailPart) {
        expectProblem(response, 400, "malformed-body")
                .body("detail", containsString(detailPart));
    }

    @ParameterizedTest
    @ValueSource(strings = { "created_after=0000-01-01",
            "created_before=0000-12-31T23:59:59Z", "created_after=%2B10000-01-01T00:00:00Z",
            "created_before=9999-12-31T23:00:00-05:00" })
    void datesOutsideYears1To9999Are400NamingTheParameter(String query) {
        invalid(given().get("/jobs?" + query).then(), query.substring(0, query.indexOf('=')));
    }

    @ParameterizedTest
    @ValueSource(strings = { "created_after=2262-04-12", "created_before=1677-09-21", "created_after=0001-01-01",
            "created_before=9999-12-31", "created_after=9999-12-31T23:59:59.999999Z" })
    void datesInsideTheRangeWork(String query) {
        given().get("/jobs?" + query).then().statusCode(200);
        given().get("/jobs?order=asc&" + query).then().statusCode(200);
    }

    @Test
    void nulInAnyTextFieldIs400NamingIt() {
        invalid(post("/jobs", "{\"input_text\": \"a" + NUL + "b\"}"), "input_text");
        invalid(post("/jobs/claim", "{\"worker_id\": \"w" + NUL + "\"}"), "worker_id");
        invalid(post(JOB + "/complete", "{\"result_label\": \"" + NUL + "\"}"), "result_label");
        invalid(post(JOB + "/complete", "{\"worker_id\": \"" + NUL + "\"}"), "worker_id");
        invalid(post(JOB + "/fail", "{\"error\": \"boom" + NUL + "\"}"), "error");
        invalid(post(JOB + "/heartbeat", "{\"worker_id\": \"" + NUL + "\"}"), "worker_id");
        invalid(post("/jobs/results", results(3, 2, "\"status\": \"failed\", \"error\": \"x" + NUL + "\"")),
                "results[2].error");
        invalid(post("/jobs/results", results(3, 1, "\"status\": \"completed\", \"result_label\": \"" + NUL + "\"")),
                "results[1].result_label");
        invalid(post("/jobs/results", results(3, 0, "\"status\": \"failed\", \"error\": \"e\", \"worker_id\": \""
                + NUL + "\"")), "results[0].worker_id");
    }

    @Test
    void nulInOneElementOfAFullBatchIs400NamingTheElementAndInsertsNothing() {
        StringBuilder jobs = new StringBuilder("{\"jobs\": [");
        for (int i = 0; i < 1_000; i++) {
            jobs.append(i == 0 ? "" : ",").append("{\"input_text\": \"").append(i == 3 ? "bad" + NUL : "good " + i)
                    .append("\"}");
        }
        invalid(post("/jobs/batch", jobs.append("]}").toString()), "jobs[3].input_text");
    }

    @Test
    void unpairedSurrogateIs400() {
        invalid(post("/jobs", "{\"input_text\": \"a\\ud800b\"}"), "input_text");
        invalid(post("/jobs", "{\"input_text\": \"\\udc00\"}"), "input_text");
        post("/jobs", "{\"input_text\": \"pair \\ud83d\\ude00\"}").statusCode(201);
    }

    @Test
    void duplicateKeysAre400MalformedBody() {
        malformed(post("/jobs", "{\"input_text\": \"a\", \"input_text\": \"b\"}"), "not valid JSON");
        malformed(post("/jobs/claim", "{\"worker_id\": \"a\", \"limit\": 1, \"limit\": 2}"), "not valid JSON");
        malformed(post("/jobs/batch", "{\"jobs\": [{\"input_text\": \"a\", \"input_text\": \"a\"}]}"), "jobs[0]");
    }

    @Test
    void nonFiniteScoresAre400NamingTheField() {
        invalid(post(JOB + "/complete", "{\"result_score\": 1e400}"), "result_score");
        invalid(post(JOB + "/complete", "{\"result_score\": -1e400}"), "result_score");
        invalid(post("/jobs/results", results(2, 1, "\"status\": \"completed\", \"result_score\": 1e400")),
                "results[1].result_score");
        // Jackson reads these strings as the special values before any coercion rule applies.
        for (String text : new String[] { "\"NaN\"", "\"Infinity\"", "\"-Infinity\"" }) {
            invalid(post(JOB + "/complete", "{\"result_score\": " + text + "}"), "result_score");
            invalid(post("/jobs/results", results(2, 0, "\"status\": \"completed\", \"result_score\": " + text)),
                    "results[0].result_score");
        }
        malformed(post(JOB + "/complete", "{\"result_score\": \"0.5\"}"), "Field result_score");
        malformed(post("/jobs/results", results(2, 0, "\"status\": \"completed\", \"result_score\": \"0.5\"")),
                "Field results[0].result_score");
        // Bare NaN is not JSON at all.
        malformed(post(JOB + "/complete", "{\"result_score\": NaN}"), "not valid JSON");
    }

    @Test
    void numbersMustBeJsonNumbersOfTheRightKind() {
        malformed(post("/jobs/claim", "{\"worker_id\": \"w\", \"limit\": \"5\"}"), "Field limit");
        malformed(post("/jobs/claim", "{\"worker_id\": \"w\", \"limit\": 1.5}"), "Field limit");
        malformed(post("/jobs/claim", "{\"worker_id\": \"w\", \"limit\": 1e400}"), "limit");
    }

    @ParameterizedTest
    @ValueSource(strings = { "limit", "status", "order", "cursor", "created_after", "created_before" })
    void emptyListingParametersAre400(String name) {
        invalid(given().get("/jobs?" + name + "=").then(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/admin/archive-jobs?days_old=", "/admin/archive-jobs?batch_size=",
            "/admin/archive-jobs?days_old=30&batch_size=" })
    void emptyArchiveParametersAre400(String path) {
        String name = path.substring(path.lastIndexOf('?') + 1).replaceAll(".*&", "").replace("=", "");
        invalid(Admin.asAdmin().post(path).then(), name);
    }

    @Test
    void parametersAnEndpointDoesNotTakeAreIgnoredEvenEmpty() {
        given().get("/jobs/stats?limit=").then().statusCode(200);
        given().get("/jobs?days_old=&limit=5").then().statusCode(200);
    }

    @Test
    void emptyAdminQueryParametersAre400() {
        invalid(Admin.asAdmin().get("/admin/archive-runs?limit=").then(), "limit");
        invalid(Admin.asAdmin().get("/admin/explain?query_type=").then(), "query_type");
    }

    /** n results with fresh job_uuids; element {@code odd} gets {@code fields}, the others a valid failure. */
    private static String results(int n, int odd, String fields) {
        StringBuilder json = new StringBuilder("{\"results\": [");
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "" : ",").append("{\"job_uuid\": \"").append(UUID.randomUUID()).append("\", ")
                    .append(i == odd ? fields : "\"status\": \"failed\", \"error\": \"e\"").append('}');
        }
        return json.append("]}").toString();
    }
}
