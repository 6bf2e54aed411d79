package io.mljobs.testing;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.OpenApiValidationFilter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * The API's contract as the service serves it ({@code /q/openapi}): RestAssured filters that fail a
 * request whose exchange the document does not describe, and a record of which operation answered
 * which status, so a test can prove it exercised every operation of the document.
 */
public final class Contract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    /** An operation of the document: its method, path template and the statuses it documents. */
    public record Operation(String method, String path, Pattern pattern, int parameters, Set<Integer> statuses,
            boolean anonymous) {

        public String key() {
            return method + " " + path;
        }
    }

    private final List<Operation> operations;
    private final OpenApiValidationFilter strict;
    private final OpenApiValidationFilter responsesOnly;
    private final Map<String, Set<Integer>> seen = new ConcurrentHashMap<>();

    private Contract(String document) {
        this.operations = operations(document);
        this.strict = new OpenApiValidationFilter(OpenApiInteractionValidator.createForInlineApiSpecification(document)
                .build());
        // For requests that are wrong on purpose: the answer must still be the documented one.
        this.responsesOnly = new OpenApiValidationFilter(OpenApiInteractionValidator
                .createForInlineApiSpecification(document)
                .withLevelResolver(LevelResolver.create().withLevel("validation.request", ValidationReport.Level.IGNORE)
                        .build())
                .build());
    }

    /** The document the running service serves. */
    public static Contract served() {
        return new Contract(RestAssured.given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .extract().asString());
    }

    /** Validates request and response against the document. */
    public Filter strict() {
        return recording(strict);
    }

    /** Validates the response only: for requests that break the document on purpose (a bad parameter, no credentials). */
    public Filter responsesOnly() {
        return recording(responsesOnly);
    }

    public List<Operation> operations() {
        return operations;
    }

    /** Statuses each operation answered through a filter, by {@link Operation#key()}. */
    public Map<String, Set<Integer>> seen() {
        Map<String, Set<Integer>> copy = new TreeMap<>();
        seen.forEach((key, statuses) -> copy.put(key, new TreeSet<>(statuses)));
        return copy;
    }

    private Filter recording(OpenApiValidationFilter validation) {
        return (FilterableRequestSpecification request, FilterableResponseSpecification response, FilterContext ctx) -> {
            Response answer = validation.filter(request, response, ctx); // throws when the exchange breaks the document
            operationOf(request.getMethod(), URI.create(request.getURI()).getRawPath()).ifPresent(
                    operation -> seen.computeIfAbsent(operation.key(), key -> ConcurrentHashMap.newKeySet())
                            .add(answer.statusCode()));
            return answer;
        };
    }

    /** The operation a request addresses; a literal segment wins over a parameter (/jobs/stats over /jobs/{job_uuid}). */
    private java.util.Optional<Operation> operationOf(String method, String path) {
        return operations.stream()
                .filter(op -> op.method().equalsIgnoreCase(method) && op.pattern().matcher(path).matches())
                .min(Comparator.comparingInt(Operation::parameters));
    }

    private static List<Operation> operations(String document) {
        try {
            JsonNode paths = JSON.readTree(document).path("paths");
            List<Operation> operations = new ArrayList<>();
            paths.fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(entry -> {
                if (!METHODS.contains(entry.getKey())) {
                    return;
                }
                Set<Integer> statuses = new TreeSet<>();
                entry.getValue().path("responses").fieldNames().forEachRemaining(code -> statuses.add(Integer.parseInt(code)));
                boolean anonymous = false;
                for (JsonNode requirement : entry.getValue().path("security")) {
                    anonymous |= requirement.isEmpty();
                }
                String template = path.getKey();
                int parameters = template.split("\\{", -1).length - 1;
                Pattern pattern = Pattern.compile(template.replaceAll("\\{[^}]+}", "[^/]+"));
                operations.add(new Operation(entry.getKey().toUpperCase(), template, pattern, parameters, statuses,
                        anonymous));
            }));
            return operations;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
