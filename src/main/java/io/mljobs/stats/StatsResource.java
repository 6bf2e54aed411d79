package io.mljobs.stats;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.smallrye.mutiny.Uni;

/** Exact job counts for dashboards, at a cost that does not grow with the table. */
@Path("/jobs/stats")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "jobs")
public class StatsResource {

    private final StatsRepository stats;

    public StatsResource(StatsRepository stats) {
        this.stats = stats;
    }

    @GET
    @Operation(summary = "Exact job counts by status, total and created in the last 24 hours", description = "Kept by triggers in the same transaction as every change: the cost does not grow "
            + "with the table.")
    @APIResponse(responseCode = "200", description = "Counts as of one snapshot", content = @Content(schema = @Schema(implementation = JobStats.class)))
    public Uni<JobStats> stats() {
        return stats.readStats();
    }
}
