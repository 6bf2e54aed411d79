package io.mljobs.queue;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import io.mljobs.api.Params;
import io.mljobs.api.ProblemResponses;
import io.mljobs.job.JobView;
import io.smallrye.mutiny.Uni;

/** The worker API: claim jobs, keep their leases, report results. */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "workers", description = "Claim jobs, keep their leases, report results")
// Credentials are optional: needed only with mljobs.security.jobs-api on (role worker).
@SecurityRequirementsSet
@SecurityRequirementsSet(@SecurityRequirement(name = "basic"))
@APIResponse(responseCode = "400", ref = ProblemResponses.BAD_REQUEST)
@APIResponse(responseCode = "401", ref = ProblemResponses.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ProblemResponses.NOT_THIS_WORKER)
@APIResponse(responseCode = "413", ref = ProblemResponses.PAYLOAD_TOO_LARGE)
@APIResponse(responseCode = "415", ref = ProblemResponses.NOT_JSON)
@APIResponse(responseCode = "429", ref = ProblemResponses.TOO_MANY_FAILED_LOGINS)
@APIResponse(responseCode = "503", ref = ProblemResponses.UNAVAILABLE)
public class QueueResource {

    private final QueueService service;

    public QueueResource(QueueService service) {
        this.service = service;
    }

    @POST
    @Path("/claim")
    @Operation(operationId = "claimJobs", summary = "Claim up to limit (1..100) of the oldest pending jobs", description = "They move to running under worker_id. Concurrent claimers never get the same job; "
            + "an empty queue answers an empty list at once, or with wait_seconds as soon as a job is submitted (empty when the wait ends).")
    @APIResponse(responseCode = "200", description = "The claimed jobs, oldest first, with input_text", content = @Content(schema = @Schema(implementation = ClaimedJobs.class)))
    public Uni<ClaimedJobs> claim(@RequestBody(required = true) ClaimRequest request) {
        return service.claim(request);
    }

    @POST
    @Path("/{job_uuid}/complete")
    @Operation(operationId = "completeJob", summary = "Report a running job completed, with its result")
    @APIResponse(responseCode = "200", description = "The job after the change", content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.JOB_NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ProblemResponses.JOB_NOT_HELD)
    public Uni<JobView> complete(
            @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) @RestPath("job_uuid") String jobUuid,
            @RequestBody(required = false) CompleteRequest request) {
        return service.complete(Params.uuid("job_uuid", jobUuid), request);
    }

    @POST
    @Path("/{job_uuid}/fail")
    @Operation(operationId = "failJob", summary = "Report a running job failed, with its error")
    @APIResponse(responseCode = "200", description = "The job after the change", content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.JOB_NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ProblemResponses.JOB_NOT_HELD)
    public Uni<JobView> fail(
            @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) @RestPath("job_uuid") String jobUuid,
            @RequestBody(required = true) FailRequest request) {
        return service.fail(Params.uuid("job_uuid", jobUuid), request);
    }

    @POST
    @Path("/{job_uuid}/heartbeat")
    @Operation(operationId = "heartbeatJob", summary = "Extend a running job's lease", description = "A job without a heartbeat for longer than mljobs.queue.lease (10 min) goes back to pending.")
    @APIResponse(responseCode = "200", description = "The new lease", content = @Content(schema = @Schema(implementation = Lease.class)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.JOB_NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ProblemResponses.JOB_NOT_HELD)
    public Uni<Lease> heartbeat(
            @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) @RestPath("job_uuid") String jobUuid,
            @RequestBody(required = false) HeartbeatRequest request) {
        return service.heartbeat(Params.uuid("job_uuid", jobUuid), request);
    }

    @POST
    @Path("/results")
    @Operation(operationId = "reportResults", summary = "Report 1 to 1,000 results in one statement", description = "Each result's outcome: its new status, not_found, or conflict with the job's status.")
    @APIResponse(responseCode = "200", description = "One outcome per result, in request order", content = @Content(schema = @Schema(implementation = ResultsReport.class)))
    public Uni<ResultsReport> report(@RequestBody(required = true) ResultsRequest request) {
        return service.report(request);
    }
}
