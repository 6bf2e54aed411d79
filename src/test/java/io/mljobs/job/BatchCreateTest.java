package io.mljobs.job;

import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;

@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class BatchCreateTest {

    @Inject
    Pool pool;

    @Test
    void batchCreatesEveryJobAndAnswersUuidsInRequestOrder() {
        List<String> uuids = given().contentType(ContentType.JSON)
                .body("{\"jobs\": [{\"input_text\": \"first\"}, {\"input_text\": \"second\"}, {\"input_text\": \"third\"}]}")
                .post("/jobs/batch")
                .then().statusCode(201).extract().jsonPath().getList("job_uuids");

        assertEquals(3, uuids.size());
        List<String> texts = uuids.stream()
                .map(uuid -> given().get("/jobs/" + uuid).then().statusCode(200).extract().jsonPath()
                        .getString("input_text"))
                .toList();
        assertEquals(List.of("first", "second", "third"), texts);
    }

    @Test
    void batchOfAThousandIsOneCall() {
        long before = count();
        String body = IntStream.range(0, 1_000).mapToObj(i -> "{\"input_text\": \"job " + i + "\"}")
                .collect(Collectors.joining(", ", "{\"jobs\": [", "]}"));
        given().contentType(ContentType.JSON).body(body).post("/jobs/batch").then().statusCode(201);
        assertEquals(before + 1_000, count());
    }

    @Test
    void oneBadElementRejectsTheWholeBatchNamingItsIndex() {
        long before = count();
        expectProblem(given().contentType(ContentType.JSON)
                .body("{\"jobs\": [{\"input_text\": \"ok\"}, {\"input_text\": \"ok\"}, {\"input_text\": \" \"}]}")
                .post("/jobs/batch").then(), 400, "invalid-parameter")
                .body("detail", containsString("jobs[2].input_text"));
        expectProblem(given().contentType(ContentType.JSON)
                .body("{\"jobs\": [{\"input_text\": \"ok\"}, {\"input_text\": [1]}]}")
                .post("/jobs/batch").then(), 400, "malformed-body")
                .body("detail", containsString("jobs[1].input_text"));
        assertEquals(before, count(), "nothing inserted");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{}", "{\"jobs\": []}", "{\"jobs\": null}", "{\"jobs\": [null]}" })
    void emptyBatchIsAnInvalidParameter(String body) {
        expectProblem(given().contentType(ContentType.JSON).body(body).post("/jobs/batch").then(), 400, "invalid-parameter");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"jobs\": {}}", "[]" })
    void batchOfTheWrongShapeIsAMalformedBody(String body) {
        expectProblem(given().contentType(ContentType.JSON).body(body).post("/jobs/batch").then(), 400, "malformed-body");
    }

    @Test
    void batchOverAThousandIsBadRequest() {
        String body = IntStream.range(0, 1_001).mapToObj(i -> "{\"input_text\": \"x\"}")
                .collect(Collectors.joining(", ", "{\"jobs\": [", "]}"));
        expectProblem(given().contentType(ContentType.JSON).body(body).post("/jobs/batch").then(), 400, "invalid-parameter")
                .body("detail", containsString("1 to 1000"));
    }

    private long count() {
        return pool.query("SELECT count(*) FROM ml_jobs").execute().await().atMost(Waits.BOUND).iterator().next()
                .getLong(0);
    }
}
