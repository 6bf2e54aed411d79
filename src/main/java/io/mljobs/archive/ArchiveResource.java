package io.mljobs.archive;

import java.net.URI;
import java.time.Duration;
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
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import io.mljobs.api.Params;
import io.mljobs.api.Problem;
import io.mljobs.api.ProblemException;
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
@APIResponse(responseCode = "400", description = "A parameter is malformed", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "401", description = "No or wrong credentials", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The user lacks role admin", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class ArchiveResource {

    static final int MAX_DAYS_OLD = 3650;
    static final int MAX_BATCH_SIZE = 50_000;

    private final Archiver archiver;
    private final ArchiveRepository runs;
    private final int defaultDaysOld;
    private final int defaultBatchSize;
    private final Duration syncWait;

    public ArchiveResource(Archiver archiver, ArchiveRepository runs,
            MlJobsConfig config) {
        this.archiver = archiver;
        this.runs = runs;
        this.defaultDaysOld = config.archive().daysOld();
        this.defaultBatchSize = config.archive().batchSize();
        this.syncWait = config.archive().syncWait();
    }

    /** The answer older clients expect when a run ends quickly, with the run's own record. */
    @RegisterForReflection
    public record ArchiveResult(long archivedCount, Instant cutoffDate, ArchiveRun run) {
    }

    @POST
    @Path("/archive-jobs")
    @Operation(summary = "Archive completed and failed jobs older than days_old (1..3650, default 30)", description = "In batches of batch_size (1..50,000, default 5,000), one run at a time across replicas.")
    @APIResponse(responseCode = "200", description = "The run ended within mljobs.archive.sync-wait", content = @Content(schema = @Schema(implementation = ArchiveResult.class)))
    @APIResponse(responseCode = "202", description = "The run goes on; Location names it", content = @Content(schema = @Schema(implementation = ArchiveRun.class)))
    @APIResponse(responseCode = "409", description = "Another run is going; Location names it", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "500", description = "The run failed; every job is still in exactly one table", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> archive(@RestQuery("days_old") String daysOld, @RestQuery("batch_size") String batchSize,
            UriInfo uri) {
        Params.notEmpty(uri, "days_old", "batch_size");
        int days = Params.intInRange("days_old", daysOld, 1, MAX_DAYS_OLD, defaultDaysOld);
        int batch = Params.intInRange("batch_size", batchSize, 1, MAX_BATCH_SIZE, defaultBatchSize);
        return archiver.start("request", days, batch, false).chain(start -> {
            if (start instanceof Archiver.Busy busy) {
                return Uni.createFrom().item(busy(busy.running(), uri));
            }
            Archiver.Started started = (Archiver.Started) start;
            URI location = runUri(uri, started.run().id());
            return started.done()
                    .map(run -> run.state().equals(ArchiveRun.SUCCEEDED)
                            ? Response.ok(new ArchiveResult(run.archived(), run.cutoff(), run)).location(location).build()
                            : failed(run, uri, location))
                    .ifNoItem().after(syncWait)
                    .recoverWithItem(() -> Response.accepted(started.run()).location(location).build());
        });
    }

    @GET
    @Path("/archive-runs/{id}")
    @Operation(summary = "One archival run: state, progress, rate, error")
    @APIResponse(responseCode = "200", description = "The run", content = @Content(schema = @Schema(implementation = ArchiveRun.class)))
    @APIResponse(responseCode = "404", description = "No such run", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ArchiveRun> run(@RestPath String id) {
        long runId = Params.intInRange("id", id, 1, Integer.MAX_VALUE, 0);
        return runs.findRun(runId).map(found -> found.orElseThrow(
                () -> ProblemException.notFound("No archive run " + runId + ".")));
    }

    @GET
    @Path("/archive-runs")
    @Operation(summary = "The latest archival runs, newest first (limit 1..100, default 20)")
    @APIResponse(responseCode = "200", description = "The runs", content = @Content(schema = @Schema(implementation = ArchiveRun.class, type = SchemaType.ARRAY)))
    public Uni<List<ArchiveRun>> runs(@RestQuery String limit, UriInfo uri) {
        Params.notEmpty(uri, "limit");
        return runs.listRuns(Params.intInRange("limit", limit, 1, 100, 20));
    }

    private static Response busy(ArchiveRun running, UriInfo uri) {
        String detail = "An archival run is going" + (running == null ? "" : " (run " + running.id() + ")")
                + "; only one runs at a time. Poll its URL, then ask again.";
        Response.ResponseBuilder response = Response.status(409).type(Problem.MEDIA_TYPE)
                .entity(new Problem("/problems/archive-running", "Archival already running", 409, detail,
                        uri.getPath()));
        return running == null ? response.build() : response.location(runUri(uri, running.id())).build();
    }

    private static Response failed(ArchiveRun run, UriInfo uri, URI location) {
        return Response.status(500).type(Problem.MEDIA_TYPE).location(location)
                .entity(new Problem("/problems/archive-failed", "Archival run failed", 500, "Run " + run.id()
                        + " failed after archiving " + run.archived() + " jobs; each batch is atomic, so every job is "
                        + "in exactly one table. Ask again to continue.", uri.getPath()))
                .build();
    }

    private static URI runUri(UriInfo uri, long id) {
        return uri.getBaseUriBuilder().path("admin").path("archive-runs").path(Long.toString(id)).build();
    }
}
