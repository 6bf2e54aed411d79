package io.mljobs.archive;

import java.net.URI;
import java.time.Instant;
import java.util.List;

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
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import io.mljobs.api.Params;
import io.mljobs.api.ProblemResponses;
import io.mljobs.config.MlJobsConfig;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/**
 * Archival on demand. A request never waits for a long run: it answers 200 with the result if the
 * run ends within {@code mljobs.archive.sync-wait}, otherwise 202 with the run's URL to poll.
 */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin", description = "Archival, database health and plans; role admin over HTTP Basic")
@SecurityRequirement(name = "basic")
@APIResponse(responseCode = "400", ref = ProblemResponses.INVALID_PARAMETER)
@APIResponse(responseCode = "401", ref = ProblemResponses.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ProblemResponses.NOT_ADMIN)
@APIResponse(responseCode = "429", ref = ProblemResponses.TOO_MANY_FAILED_LOGINS)
@APIResponse(responseCode = "503", ref = ProblemResponses.UNAVAILABLE)
public class ArchiveResource {

    static final int MAX_DAYS_OLD = 3650;
    static final int MAX_BATCH_SIZE = 50_000;

    private final ArchiveService service;
    private final int defaultDaysOld;
    private final int defaultBatchSize;

    public ArchiveResource(ArchiveService service, MlJobsConfig config) {
        this.service = service;
        this.defaultDaysOld = config.archive().daysOld();
        this.defaultBatchSize = config.archive().batchSize();
    }

    /** The answer older clients expect when a run ends quickly, with the run's own record. */
    @RegisterForReflection
    public record ArchiveResult(@Schema(required = true) long archivedCount, @Schema(required = true) Instant cutoffDate,
            @Schema(required = true) ArchiveRun run) {
    }

    @POST
    @Path("/archive-jobs")
    @Operation(operationId = "archiveJobs", summary = "Archive completed and failed jobs older than days_old (1..3650, default 30)", description = "In batches of batch_size (1..50,000, default 5,000), one run at a time across replicas.")
    @APIResponse(responseCode = "200", description = "The run ended within mljobs.archive.sync-wait", headers = @Header(name = "Location", required = true, description = "The run", schema = @Schema(type = SchemaType.STRING, format = "uri")), content = @Content(schema = @Schema(implementation = ArchiveResult.class)))
    @APIResponse(responseCode = "202", description = "The run goes on; Location names it", headers = @Header(name = "Location", required = true, description = "The run, to poll", schema = @Schema(type = SchemaType.STRING, format = "uri")), content = @Content(schema = @Schema(implementation = ArchiveRun.class)))
    @APIResponse(responseCode = "409", ref = ProblemResponses.ARCHIVE_RUNNING)
    @APIResponse(responseCode = "500", ref = ProblemResponses.ARCHIVE_FAILED)
    public Uni<Response> archive(
            @Parameter(description = "Archive finished jobs created more than this many days ago", schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", maximum = "3650", defaultValue = "30")) @RestQuery("days_old") String daysOld,
            @Parameter(description = "Rows per batch, one transaction each", schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", maximum = "50000", defaultValue = "5000")) @RestQuery("batch_size") String batchSize,
            UriInfo uri) {
        Params.notEmpty(uri, "days_old", "batch_size");
        int days = Params.intInRange("days_old", daysOld, 1, MAX_DAYS_OLD, defaultDaysOld);
        int batch = Params.intInRange("batch_size", batchSize, 1, MAX_BATCH_SIZE, defaultBatchSize);
        return service.runOnRequest(days, batch).map(requested -> {
            ArchiveRun run = requested.run();
            URI location = uri.getBaseUriBuilder().path(ArchiveService.runPath(run.id())).build();
            return requested.ended()
                    ? Response.ok(new ArchiveResult(run.archived(), run.cutoff(), run)).location(location).build()
                    : Response.accepted(run).location(location).build();
        });
    }

    @GET
    @Path("/archive-runs/{id}")
    @Operation(operationId = "getArchiveRun", summary = "One archival run: state, progress, rate, error")
    @APIResponse(responseCode = "200", description = "The run", content = @Content(schema = @Schema(implementation = ArchiveRun.class)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.ARCHIVE_RUN_NOT_FOUND)
    public Uni<ArchiveRun> run(
            @Parameter(schema = @Schema(type = SchemaType.INTEGER, format = "int64", minimum = "1", maximum = "2147483647")) @RestPath String id) {
        long runId = Params.intInRange("id", id, 1, Integer.MAX_VALUE, 0);
        return service.findRun(runId);
    }

    @GET
    @Path("/archive-runs")
    @Operation(operationId = "listArchiveRuns", summary = "The latest archival runs, newest first (limit 1..100, default 20)")
    @APIResponse(responseCode = "200", description = "The runs", content = @Content(schema = @Schema(implementation = ArchiveRun.class, type = SchemaType.ARRAY)))
    public Uni<List<ArchiveRun>> runs(
            @Parameter(schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", maximum = "100", defaultValue = "20")) @RestQuery String limit,
            UriInfo uri) {
        Params.notEmpty(uri, "limit");
        return service.listRuns(Params.intInRange("limit", limit, 1, 100, 20));
    }
}
