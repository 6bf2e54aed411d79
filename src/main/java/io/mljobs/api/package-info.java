/**
 * The ground of the HTTP API: problems, parameters, JSON. The problem responses every endpoint
 * documents are declared here once, as OpenAPI components named by {@link io.mljobs.api.ProblemResponses}.
 */
// SmallRye OpenAPI reads @OpenAPIDefinition from package-info (or a JAX-RS Application), not from other classes.
// info is required by the annotation; the quarkus.smallrye-openapi.info-* properties set the document's.
// One relative server: the document describes the service it is served by, on whatever host and port.
@OpenAPIDefinition(info = @Info(title = "ml-jobs", version = "1.0"), servers = @Server(url = "/", description = "This service"), components = @Components(responses = {
        @APIResponse(name = ProblemResponses.BAD_REQUEST, description = "A parameter or the body is malformed", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.INVALID_PARAMETER, description = "A parameter is malformed", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.UNAUTHORIZED, description = "No or wrong credentials", headers = @Header(name = "WWW-Authenticate", description = "Basic, with the realm", required = true, schema = @Schema(type = SchemaType.STRING)), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.NOT_ADMIN, description = "The user lacks role admin", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.FORBIDDEN, description = "Access control on: the user lacks the role (reader to read, submitter to submit)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.NOT_THIS_WORKER, description = "Access control on: the user lacks role worker (/problems/forbidden), or a worker_id in the body names another user (/problems/worker-id-mismatch)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.NOT_JSON, description = "The body is not JSON", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.PAYLOAD_TOO_LARGE, description = "The body is larger than mljobs.http.max-body-size (16M)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.JOB_NOT_FOUND, description = "No such job", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.JOB_NOT_HELD, description = "The job is not running, or another worker holds it", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.ARCHIVE_RUN_NOT_FOUND, description = "No such run", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.ARCHIVE_RUNNING, description = "Another run is going; Location names it", headers = @Header(name = "Location", description = "The run that is going", schema = @Schema(type = SchemaType.STRING, format = "uri-reference")), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.ARCHIVE_FAILED, description = "The run failed; every job is still in exactly one table", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.TOO_MANY_FAILED_LOGINS, description = "Too many failed logins from this address (mljobs.security.login-throttle); credentials are refused until Retry-After has passed", headers = @Header(name = "Retry-After", description = "Seconds to wait", required = true, schema = @Schema(type = SchemaType.INTEGER, minimum = "1")), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
        @APIResponse(name = ProblemResponses.UNAVAILABLE, description = "The database cannot take the request now (/problems/database-unavailable: pool and admission queue full, a timeout, PostgreSQL unreachable), or too many request bodies are in memory or claims waiting (/problems/server-busy); retry after Retry-After", headers = @Header(name = "Retry-After", description = "Seconds to wait", required = true, schema = @Schema(type = SchemaType.INTEGER, minimum = "1")), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))) }))
package io.mljobs.api;

import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.servers.Server;
