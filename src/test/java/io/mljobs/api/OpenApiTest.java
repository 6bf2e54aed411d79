package io.mljobs.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The OpenAPI document lists every endpoint with its operationId, security, success and problem
 * responses, in snake_case. That it matches what the API does: OpenApiContractTest.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class OpenApiTest {

    private static final Map<String, Set<String>> ENDPOINTS = Map.ofEntries(
            Map.entry("/jobs", Set.of("get", "post")),
            Map.entry("/jobs/batch", Set.of("post")),
            Map.entry("/jobs/{job_uuid}", Set.of("get")),
            Map.entry("/jobs/stats", Set.of("get")),
            Map.entry("/jobs/claim", Set.of("post")),
            Map.entry("/jobs/{job_uuid}/complete", Set.of("post")),
            Map.entry("/jobs/{job_uuid}/fail", Set.of("post")),
            Map.entry("/jobs/{job_uuid}/heartbeat", Set.of("post")),
            Map.entry("/jobs/results", Set.of("post")),
            Map.entry("/archive/jobs", Set.of("get")),
            Map.entry("/admin/archive-jobs", Set.of("post")),
            Map.entry("/admin/archive-runs", Set.of("get")),
            Map.entry("/admin/archive-runs/{id}", Set.of("get")),
            Map.entry("/admin/db-health", Set.of("get")),
            Map.entry("/admin/explain", Set.of("get")));

    @Test
    void everyEndpointIsDocumentedWithItsResponses() {
        JsonPath doc = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath();
        Map<String, Map<String, Object>> paths = doc.getMap("paths");
        assertEquals(ENDPOINTS.keySet(), paths.keySet());
        ENDPOINTS.forEach((path, methods) -> {
            assertEquals(methods, paths.get(path).keySet(), path);
            for (String method : methods) {
                Map<String, Object> responses = doc.getMap("paths.'" + path + "'." + method + ".responses");
                assertNotNull(responses, method + " " + path);
                assertTrue(responses.keySet().stream().anyMatch(code -> code.startsWith("2")), method + " " + path);
                assertTrue(responses.keySet().stream().anyMatch(code -> code.startsWith("4")),
                        method + " " + path + " documents its problems: " + responses.keySet());
                assertNotNull(doc.getString("paths.'" + path + "'." + method + ".summary"), method + " " + path);
                assertNotNull(doc.getString("paths.'" + path + "'." + method + ".operationId"), method + " " + path);
                // Every operation reads the database, so every one can answer 503.
                assertTrue(responses.containsKey("503"), method + " " + path + ": " + responses.keySet());
                List<Map<String, Object>> security = doc.getList("paths.'" + path + "'." + method + ".security");
                assertEquals(path.startsWith("/admin") ? List.of(Map.of("basic", List.of()))
                        : List.of(Map.of(), Map.of("basic", List.of())), security, method + " " + path);
            }
        });
        // The API speaks snake_case (quarkus.jackson.property-naming-strategy), and so does its document.
        Map<String, Map<String, Object>> schemas = doc.getMap("components.schemas");
        schemas.forEach((name, schema) -> {
            Map<String, Object> properties = doc.getMap("components.schemas." + name + ".properties");
            if (properties != null) {
                properties.keySet().forEach(property -> assertTrue(property.matches("[a-z0-9_]+"), name + "." + property));
            }
        });
        Set<String> problemFields = doc.<String, Object> getMap("components.schemas.Problem.properties").keySet();
        assertTrue(problemFields.containsAll(List.of("type", "title", "status", "detail")), problemFields.toString());
        assertNotNull(doc.getMap("components.securitySchemes.basic"));
    }
}
