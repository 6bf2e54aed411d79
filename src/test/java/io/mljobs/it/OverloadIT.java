package io.mljobs.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.mljobs.testing.Flood;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * The packaged service, with the heap the Kubernetes manifest gives it (quarkus.test.arg-line),
 * under bursts no client should be able to turn into an outage: 400 connections of submissions,
 * claims or listings for 8 s, and 100 maximum-size bodies at once. During a burst the answers are
 * 2xx or 503; within 10 s of its end every endpoint answers 2xx again. Before the admission queue
 * replaced the pool's own, the submission burst lost every pooled connection for good.
 */
@QuarkusIntegrationTest
@WithTestResource(value = PostgresTestResource.class, initArgs = {
        @ResourceArg(name = "label", value = "overload"),
        @ResourceArg(name = "admin-password", value = "overload-admin-password") })
class OverloadIT {

    private static final Duration BURST = Duration.ofSeconds(8);

    @Test
    void burstOfSubmissionsLeavesEveryEndpointServing() throws Exception {
        Flood.Result burst = Flood.run(base(), HttpMethod.POST, "/jobs",
                Buffer.buffer("{\"input_text\": \"flood\"}"), 400, BURST);
        assertBurstAnsweredAndRecovered(burst, 201);
    }

    @Test
    void burstOfClaimsLeavesEveryEndpointServing() throws Exception {
        for (int i = 0; i < 20; i++) {
            given().contentType(ContentType.JSON).body(batchOf(1_000)).post("/jobs/batch").then().statusCode(201);
        }
        Flood.Result burst = Flood.run(base(), HttpMethod.POST, "/jobs/claim",
                Buffer.buffer("{\"worker_id\": \"flood\", \"limit\": 1}"), 400, BURST);
        assertBurstAnsweredAndRecovered(burst, 200);
    }

    @Test
    void burstOfListingsLeavesEveryEndpointServing() throws Exception {
        Flood.Result burst = Flood.run(base(), HttpMethod.GET, "/jobs?limit=100", null, 400, BURST);
        assertBurstAnsweredAndRecovered(burst, 200);
    }

    /**
     * 100 bodies just under the 16 MB limit at once, each one string that Jackson must build
     * before the length check refuses it: without the body budget, forty of them exhausted the heap.
     */
    @Test
    void hundredMaximumSizeBodiesAtOnceCannotExhaustTheHeap() throws Exception {
        String huge = "{\"input_text\": \"" + "x".repeat(16 * 1024 * 1024 - 100) + "\"}";
        Flood.Result burst = Flood.run(base(), HttpMethod.POST, "/jobs", Buffer.buffer(huge), 100,
                Duration.ofSeconds(5));
        assertEquals(0, burst.serverErrorsOtherThan503(), "answers: " + burst);
        assertTrue(burst.count(400) > 0, "some were read and refused as too long: " + burst);
        assertRecovers();
    }

    private void assertBurstAnsweredAndRecovered(Flood.Result burst, int success) throws InterruptedException {
        assertEquals(0, burst.serverErrorsOtherThan503(), "answers during the burst: " + burst);
        assertTrue(burst.count(success) > 0, "the burst was served, not only shed: " + burst);
        assertRecovers();
    }

    /** Every endpoint answers 2xx within 10 s of the burst's end, health included. */
    private static void assertRecovers() throws InterruptedException {
        Map<String, Supplier<Integer>> endpoints = new LinkedHashMap<>();
        endpoints.put("GET /jobs", () -> given().get("/jobs?limit=5").statusCode());
        endpoints.put("GET /jobs/stats", () -> given().get("/jobs/stats").statusCode());
        endpoints.put("POST /jobs", () -> given().contentType(ContentType.JSON).body("{\"input_text\": \"after\"}")
                .post("/jobs").statusCode());
        endpoints.put("POST /jobs/batch", () -> given().contentType(ContentType.JSON).body(batchOf(3))
                .post("/jobs/batch").statusCode());
        endpoints.put("POST /jobs/claim", () -> given().contentType(ContentType.JSON)
                .body("{\"worker_id\": \"after\", \"limit\": 1}").post("/jobs/claim").statusCode());
        endpoints.put("GET /q/health/ready", () -> given().get("/q/health/ready").statusCode());
        endpoints.put("GET /q/health/live", () -> given().get("/q/health/live").statusCode());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (Map.Entry<String, Supplier<Integer>> endpoint : endpoints.entrySet()) {
            int status;
            while ((status = endpoint.getValue().get()) / 100 != 2) {
                assertTrue(System.nanoTime() < deadline, endpoint.getKey() + " still answers " + status
                        + " 10 s after the burst");
                Thread.sleep(200);
            }
        }
    }

    private static String batchOf(int jobs) {
        return "{\"jobs\": [" + "{\"input_text\": \"batch\"},".repeat(jobs - 1) + "{\"input_text\": \"batch\"}]}";
    }

    private static URI base() {
        return URI.create(RestAssured.baseURI + ":" + RestAssured.port);
    }
}
