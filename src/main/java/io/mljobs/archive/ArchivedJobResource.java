package io.mljobs.archive;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

import io.mljobs.api.Params;
import io.mljobs.api.ProblemResponses;
import io.mljobs.config.MlJobsConfig;
import io.mljobs.job.JobPage;
import io.mljobs.job.PageRequest;
import io.mljobs.job.Pages;
import io.smallrye.mutiny.Uni;

/**
 * Pages through the archive with GET /jobs' parameters, cursor and problems: the same rules ({@link Pages}) on
 * the archive's statements. Each item also has its {@code archived_at}.
 */
@Path("/archive/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "jobs", description = "Submit jobs and page through them")
// As GET /jobs: credentials only with mljobs.security.jobs-api on (role reader).
@SecurityRequirementsSet
@SecurityRequirementsSet(@SecurityRequirement(name = "basic"))
@APIResponse(responseCode = "400", ref = ProblemResponses.BAD_REQUEST)
@APIResponse(responseCode = "401", ref = ProblemResponses.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ProblemResponses.FORBIDDEN)
@APIResponse(responseCode = "429", ref = ProblemResponses.TOO_MANY_FAILED_LOGINS)
@APIResponse(responseCode = "503", ref = ProblemResponses.UNAVAILABLE)
public class ArchivedJobResource {

    private final ArchivedJobRepository archived;
    private final int defaultPageSize;

    public ArchivedJobResource(ArchivedJobRepository archived, MlJobsConfig config) {
        this.archived = archived;
        this.defaultPageSize = config.jobs().defaultPageSize();
    }

    @GET
    @Operation(operationId = "listArchivedJobs", summary = "List archived jobs, one keyset page at a time", description = "As GET /jobs: ordered by (created_at, id), the same parameters and cursors; each item has archived_at. Every page is one index range scan per monthly partition, merged.")
    @APIResponse(responseCode = "200", description = "A page and where the next one starts", content = @Content(schema = @Schema(implementation = JobPage.class)))
    public Uni<JobPage> list(
            @Parameter(description = "Page size (default mljobs.jobs.default-page-size, 50)", schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", maximum = "100", defaultValue = "50")) @RestQuery String limit,
            @Parameter(description = "next_cursor of the previous page, or the job_uuid of an archived job to continue after", schema = @Schema(type = SchemaType.STRING, minLength = 1)) @RestQuery String cursor,
            @Parameter(description = "Only jobs in this status", schema = @Schema(type = SchemaType.STRING, enumeration = {
                    "pending", "running", "completed", "failed" })) @RestQuery String status,
            @Parameter(description = "Inclusive lower bound on created_at: ISO-8601 with an offset (2026-05-01T12:00:00Z) or a date (2026-05-01, its start in UTC)", schema = @Schema(type = SchemaType.STRING, minLength = 1)) @RestQuery("created_after") String createdAfter,
            @Parameter(description = "Exclusive upper bound on created_at, in the same forms", schema = @Schema(type = SchemaType.STRING, minLength = 1)) @RestQuery("created_before") String createdBefore,
            @Parameter(description = "A cursor keeps its own order: leave it out or give the same", schema = @Schema(type = SchemaType.STRING, enumeration = {
                    "desc", "asc" }, defaultValue = "desc")) @RestQuery String order,
            UriInfo uri) {
        Params.notEmpty(uri, "limit", "cursor", "status", "created_after", "created_before", "order");
        return Pages.page(archived, PageRequest.parse(limit, cursor, status, createdAfter, createdBefore, order,
                defaultPageSize));
    }
}
