package io.mljobs.job;

import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class JobResourceTest {

    private static final String ISO_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z";

    @Test
    void submittedJobCanBeFetchedWithEveryField() {
        String location = given().contentType(ContentType.JSON).body("{\"input_text\": \"classify this\"}")
                .when().post("/jobs")
                .then().statusCode(201)
                .header("Location", matchesPattern(".*/jobs/[0-9a-f-]{36}"))
                .body("status", equalTo("pending"))
                .body("input_text", equalTo("classify this"))
                .body("created_at", matchesPattern(ISO_UTC))
                .extract().header("Location");
        String jobUuid = location.substring(location.lastIndexOf('/') + 1);

        given().when().get(location)
                .then().statusCode(200)
                .body("job_uuid", equalTo(jobUuid))
                .body("id", notNullValue())
                .body("input_text", equalTo("classify this"))
                .body("status", equalTo("pending"))
                .body("result_score", nullValue())
                .body("result_label", nullValue())
                .body("created_at", matchesPattern(ISO_UTC))
                .body("started_at", nullValue())
                .body("completed_at", nullValue());
    }

    @Test
    void unknownJobIsNotFoundProblem() {
        expectProblem(given().when().get("/jobs/3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b").then(), 404, "not-found")
                .body("detail", containsString("3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "not-a-uuid", "3f2b8c1e-9d4a-4f6b-8e2a", "1-1-1-1-1", "3f2b8c1e9d4a4f6b8e2a1c5d7e9f0a3b" })
    void malformedJobUuidIsBadRequest(String jobUuid) {
        expectProblem(given().when().get("/jobs/" + jobUuid).then(), 400, "invalid-parameter")
                .body("detail", containsString("job_uuid"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "{}", "{\"input_text\": null}", "{\"input_text\": \"\"}", "{\"input_text\": \"   \"}" })
    void submissionWithoutInputIsAnInvalidParameter(String body) {
        expectProblem(given().contentType(ContentType.JSON).body(body).when().post("/jobs").then(), 400, "invalid-parameter");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"input_text\": ", "not json", "[1, 2]", "{\"input_text\": {\"a\": 1}}" })
    void submissionThatIsNotAJobIsAMalformedBody(String body) {
        expectProblem(given().contentType(ContentType.JSON).body(body).when().post("/jobs").then(), 400, "malformed-body");
    }

    @Test
    void emptyBodyIsBadRequest() {
        expectProblem(given().contentType(ContentType.JSON).when().post("/jobs").then(), 400, "invalid-parameter");
    }

    @Test
    void inputOverTheCapIsBadRequest() {
        String tooLong = "x".repeat(10_001);
        expectProblem(given().contentType(ContentType.JSON).body("{\"input_text\": \"" + tooLong + "\"}")
                .when().post("/jobs").then(), 400, "invalid-parameter")
                .body("detail", containsString("at most 10000"));
    }

    @Test
    void inputAtTheCapIsAccepted() {
        given().contentType(ContentType.JSON).body("{\"input_text\": \"" + "x".repeat(10_000) + "\"}")
                .when().post("/jobs").then().statusCode(201);
    }

    @Test
    void wrongContentTypeIsUnsupportedMediaType() {
        expectProblem(given().contentType(ContentType.TEXT).body("input_text=x").when().post("/jobs").then(), 415,
                "unsupported-media-type");
    }

    @Test
    void unknownPathIsNotFoundProblem() {
        expectProblem(given().when().get("/nothing-here").then(), 404, "not-found");
    }

}
