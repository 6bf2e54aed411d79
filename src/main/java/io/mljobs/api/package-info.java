/**
 * The ground of the HTTP API: problems, parameters, JSON. The problem responses every endpoint
 * documents are declared here once, as OpenAPI components named by {@link io.mljobs.api.ProblemResponses}.
 */
// SmallRye OpenAPI reads @OpenAPIDefinition from package-info (or a JAX-RS Application), not from other classes.
// info is required by the annotation; the quarkus.smallrye-openapi.info-* properties set the document's.
@OpenAPIDefinition(info = @Info(title = "ml-jobs", version = "1.0"), components = @Components(responses = {
        @APIResponse(name = ProblemResponses.BAD_REQUEST, description = "A parameter or the body is malformed", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.INVALID_PARAMETER, description = "A parameter is malformed", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.UNAUTHORIZED, description = "No or wrong credentials", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.NOT_ADMIN, description = "The user lacks role admin", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.NOT_JSON, description = "The body is not JSON", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.JOB_NOT_FOUND, description = "No such job", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.JOB_NOT_HELD, description = "The job is not running, or another worker holds it", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.ARCHIVE_RUN_NOT_FOUND, description = "No such run", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.ARCHIVE_RUNNING, description = "Another run is going; Location names it", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.ARCHIVE_FAILED, description = "The run failed; every job is still in exactly one table", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))) }))
package io.mljobs.api;

import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
