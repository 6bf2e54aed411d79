package io.mljobs.stats;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.mljobs.api.ProblemResponses;
import io.smallrye.mutiny.Uni;

/** Exact job counts for dashboards, at a cost that does not grow with the table. */
@Path("/jobs/stats")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "jobs")
// Credentials are optional: needed only with mljobs.security.jobs-api on (role reader).
@SecurityRequirementsSet
@SecurityRequirementsSet(@SecurityRequirement(name = "basic"))
@APIResponse(responseCode = "401", ref = ProblemResponses.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ProblemResponses.FORBIDDEN)
@APIResponse(responseCode = "429", ref = ProblemResponses.TOO_MANY_FAILED_LOGINS)
@APIResponse(responseCode = "503", ref = ProblemResponses.UNAVAILABLE)
public class StatsResource {

    private final StatsRepository stats;

    public StatsResource(StatsRepository stats) {
        this.stats = stats;
    }

    @GET
    @Operation(operationId = "getJobStats", summary = "Exact job counts by status, total and created in the last 24 hours", description = "Kept by triggers in the same transaction as every change: the cost does not grow "
            + "with the table.")
    @APIResponse(responseCode = "200", description = "Counts as of one snapshot", content = @Content(schema = @Schema(implementation = JobStats.class)))
    public Uni<JobStats> stats() {
        return stats.readStats();
    }
}
