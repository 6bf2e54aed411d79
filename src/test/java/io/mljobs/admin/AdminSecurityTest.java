package io.mljobs.admin;

import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.util.function.Function;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mljobs.testing.Admin;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Every /admin endpoint: no credentials 401, wrong password 401, a user without role admin 403, admin 2xx. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class AdminSecurityTest {

    @ParameterizedTest
    @ValueSource(strings = { "GET /admin/db-health", "GET /admin/explain?query_type=recent", "GET /admin/archive-runs",
            "GET /admin/archive-runs/1", "POST /admin/archive-jobs?days_old=3650" })
    void withoutCredentialsIsUnauthorized(String endpoint) {
        expectProblem(call(endpoint, given()).then(), 401, "unauthorized").header("WWW-Authenticate", containsString("Basic"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "GET /admin/db-health", "GET /admin/explain?query_type=recent", "GET /admin/archive-runs",
            "GET /admin/archive-runs/1", "POST /admin/archive-jobs?days_old=3650" })
    void wrongPasswordIsUnauthorized(String endpoint) {
        expectProblem(call(endpoint, given().auth().preemptive().basic(Admin.USER, "wrong")).then(), 401, "unauthorized");
    }

    @ParameterizedTest
    @ValueSource(strings = { "GET /admin/db-health", "GET /admin/explain?query_type=recent", "GET /admin/archive-runs",
            "GET /admin/archive-runs/1", "POST /admin/archive-jobs?days_old=3650" })
    void userWithoutAdminRoleIsForbidden(String endpoint) {
        expectProblem(call(endpoint, given().auth().preemptive().basic("viewer", "viewer")).then(), 403, "forbidden");
    }

    @ParameterizedTest
    @ValueSource(strings = { "GET /admin/db-health", "GET /admin/explain?query_type=recent", "GET /admin/archive-runs",
            "POST /admin/archive-jobs?days_old=3650" })
    void adminIsServed(String endpoint) {
        call(endpoint, Admin.asAdmin()).then().statusCode(anyOf(is(200), is(202)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "GET /jobs/stats", "GET /jobs", "GET /q/health/ready", "GET /q/metrics" })
    void publicEndpointsNeedNoCredentials(String endpoint) {
        call(endpoint, given()).then().statusCode(200);
    }

    static Response call(String endpoint, RequestSpecification request) {
        String[] parts = endpoint.split(" ", 2);
        Function<String, Response> send = parts[0].equals("POST") ? request::post : request::get;
        return send.apply(parts[1]);
    }
}
