package io.mljobs.stats;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Exact job counts for dashboards, at a cost that does not grow with the table. */
@Path("/jobs/stats")
@Produces(MediaType.APPLICATION_JSON)
public class StatsResource {

    private final StatusCounts counts;

    public StatsResource(StatusCounts counts) {
        this.counts = counts;
    }

    @GET
    public Uni<JobStats> stats() {
        return counts.read();
    }
}
