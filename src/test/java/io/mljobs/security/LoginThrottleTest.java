package io.mljobs.security;

import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mljobs.testing.Admin;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Ten failed logins from one address within the window: its credentials get 429 until the window passes. */
@QuarkusTest
@TestProfile(LoginThrottleTest.ShortWindow.class)
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "throttle"))
class LoginThrottleTest {

    public static class ShortWindow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mljobs.security.login-throttle.max-failures", "10",
                    "mljobs.security.login-throttle.window", "PT8S");
        }
    }

    @Test
    void tenFailuresThrottleTheAddressUntilTheWindowPasses() throws InterruptedException {
        for (int i = 0; i < 10; i++) {
            expectProblem(given().auth().preemptive().basic(Admin.USER, "wrong-" + i).get("/admin/archive-runs").then(),
                    401, "unauthorized");
        }
        String retryAfter = expectProblem(given().auth().preemptive().basic(Admin.USER, "wrong-11")
                .get("/admin/archive-runs").then(), 429, "too-many-failed-logins")
                .body("type", equalTo("/problems/too-many-failed-logins"))
                .extract().header("Retry-After");
        int seconds = Integer.parseInt(retryAfter);
        assertTrue(seconds >= 1 && seconds <= 8, retryAfter);
        // The right password does not help while throttled; a request without credentials is not throttled.
        expectProblem(Admin.asAdmin().get("/admin/archive-runs").then(), 429, "too-many-failed-logins");
        given().get("/jobs/stats").then().statusCode(200);

        Thread.sleep(seconds * 1_000L + 200);
        Admin.asAdmin().get("/admin/archive-runs").then().statusCode(200);
        // The count starts over: one more failure is a 401 again, not a 429.
        expectProblem(given().auth().preemptive().basic(Admin.USER, "wrong").get("/admin/archive-runs").then(), 401,
                "unauthorized");
    }
}
