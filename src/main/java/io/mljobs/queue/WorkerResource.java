package io.mljobs.queue;

import io.mljobs.job.JobView;
import io.mljobs.web.Params;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;

/** The worker API: claim jobs, keep their leases, report results. */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class WorkerResource {

    private final WorkerService service;

    public WorkerResource(WorkerService service) {
        this.service = service;
    }

    @POST
    @Path("/claim")
    public Uni<ClaimedJobs> claim(ClaimRequest request) {
        return service.claim(request);
    }

    @POST
    @Path("/{jobUuid}/complete")
    public Uni<JobView> complete(@RestPath String jobUuid, CompleteRequest request) {
        return service.complete(Params.uuid("job_uuid", jobUuid), request);
    }

    @POST
    @Path("/{jobUuid}/fail")
    public Uni<JobView> fail(@RestPath String jobUuid, FailRequest request) {
        return service.fail(Params.uuid("job_uuid", jobUuid), request);
    }

    @POST
    @Path("/{jobUuid}/heartbeat")
    public Uni<Lease> heartbeat(@RestPath String jobUuid, HeartbeatRequest request) {
        return service.heartbeat(Params.uuid("job_uuid", jobUuid), request);
    }

    @POST
    @Path("/results")
    public Uni<ResultsReport> report(ResultsRequest request) {
        return service.report(request);
    }
}
