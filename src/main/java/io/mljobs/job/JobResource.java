package io.mljobs.job;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import io.mljobs.api.Params;
import io.mljobs.api.ProblemResponses;
import io.mljobs.config.MlJobsConfig;
import io.smallrye.mutiny.Uni;

/** Submit, fetch and list jobs. Parameters arrive as text so that every bad value gets a 400 problem. */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "jobs", description = "Submit jobs and page through them")
// Credentials are optional: needed only with mljobs.security.jobs-api on (roles reader and submitter).
@SecurityRequirementsSet
@SecurityRequirementsSet(@SecurityRequirement(name = "basic"))
@APIResponse(responseCode = "400", ref = ProblemResponses.BAD_REQUEST)
@APIResponse(responseCode = "401", ref = ProblemResponses.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ProblemResponses.FORBIDDEN)
@APIResponse(responseCode = "429", ref = ProblemResponses.TOO_MANY_FAILED_LOGINS)
@APIResponse(responseCode = "503", ref = ProblemResponses.UNAVAILABLE)
public class JobResource {

    private final JobService service;
    private final int defaultPageSize;

    public JobResource(JobService service, MlJobsConfig config) {
        this.service = service;
        this.defaultPageSize = config.jobs().defaultPageSize();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "submitJob", summary = "Submit a job", description = "input_text is required, not blank, at "
            + "most mljobs.jobs.max-input-length (10,000) characters.")
    @APIResponse(responseCode = "201", description = "Created; Location names the job", headers = @Header(name = "Location", required = true, schema = @Schema(type = SchemaType.STRING, format = "uri")), content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "413", ref = ProblemResponses.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ProblemResponses.NOT_JSON)
    public Uni<Response> submit(@RequestBody(required = true) CreateJobRequest request, UriInfo uri) {
        return service.submit(request).map(job -> Response
                .created(uri.getBaseUriBuilder().path("jobs").path(job.jobUuid().toString()).build())
                .entity(job)
                .build());
    }

    @POST
    @Path("/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "submitJobBatch", summary = "Submit 1 to 1,000 jobs in one statement", description = "All or nothing: one bad element gets 400 naming its index, and nothing is inserted.")
    @APIResponse(responseCode = "201", description = "The new job_uuids, in request order", content = @Content(schema = @Schema(implementation = BatchCreated.class)))
    @APIResponse(responseCode = "413", ref = ProblemResponses.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ProblemResponses.NOT_JSON)
    public Uni<Response> submitBatch(@RequestBody(required = true) BatchCreateRequest request) {
        return service.submitBatch(request).map(created -> Response.status(Response.Status.CREATED)
                .entity(created)
                .build());
    }

    @GET
    @Path("/{job_uuid}")
    @Operation(operationId = "getJob", summary = "Fetch a job with every field")
    @APIResponse(responseCode = "200", description = "The job", content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.JOB_NOT_FOUND)
    public Uni<JobView> get(
            @Parameter(description = "The job's UUID", schema = @Schema(type = SchemaType.STRING, format = "uuid")) @RestPath("job_uuid") String jobUuid) {
        return service.findByUuid(Params.uuid("job_uuid", jobUuid));
    }

    @GET
    @Operation(operationId = "listJobs", summary = "List jobs, one keyset page at a time", description = "Ordered by (created_at, id); every page is one index range scan at any depth.")
    @APIResponse(responseCode = "200", description = "A page and where the next one starts", content = @Content(schema = @Schema(implementation = JobPage.class)))
    public Uni<JobPage> list(
            // Parameters are parsed by hand (a 400 problem for every bad value); the document gives their real types.
            @Parameter(description = "Page size (default mljobs.jobs.default-page-size, 50)", schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", maximum = "100", defaultValue = "50")) @RestQuery String limit,
            @Parameter(description = "next_cursor of the previous page, or the job_uuid to continue after", schema = @Schema(type = SchemaType.STRING, minLength = 1)) @RestQuery String cursor,
            @Parameter(description = "Only jobs in this status", schema = @Schema(type = SchemaType.STRING, enumeration = {
                    "pending", "running", "completed", "failed" })) @RestQuery String status,
            @Parameter(description = "Inclusive lower bound on created_at: ISO-8601 with an offset (2026-05-01T12:00:00Z) or a date (2026-05-01, its start in UTC)", schema = @Schema(type = SchemaType.STRING, minLength = 1)) @RestQuery("created_after") String createdAfter,
            @Parameter(description = "Exclusive upper bound on created_at, in the same forms", schema = @Schema(type = SchemaType.STRING, minLength = 1)) @RestQuery("created_before") String createdBefore,
            @Parameter(description = "A cursor keeps its own order: leave it out or give the same", schema = @Schema(type = SchemaType.STRING, enumeration = {
                    "desc", "asc" }, defaultValue = "desc")) @RestQuery String order,
            UriInfo uri) {
        Params.notEmpty(uri, "limit", "cursor", "status", "created_after", "created_before", "order");
        return service.findPage(PageRequest.parse(limit, cursor, status, createdAfter, createdBefore, order,
                defaultPageSize));
    }
}
