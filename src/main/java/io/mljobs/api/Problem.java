package io.mljobs.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem body ({@code application/problem+json}). {@code type} is a URI reference
 * under {@code /problems/} naming the kind of failure; {@code detail} says what to change.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
// Built into a Response, where the native build cannot see the type: register it for Jackson.
@RegisterForReflection
public record Problem(
        @Schema(required = true, description = "What kind of failure: /problems/<reason>", example = "/problems/invalid-parameter") String type,
        @Schema(required = true) String title,
        @Schema(required = true, minimum = "400", maximum = "599") int status,
        @Schema(description = "What to change") String detail,
        @Schema(description = "The request's path") String instance) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem withInstance(String path) {
        return new Problem(type, title, status, detail, path);
    }
}
