package io.mljobs.job;

import io.mljobs.web.Params;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** Submit, fetch and list jobs. Parameters arrive as text so that every bad value gets a 400 problem. */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    private final JobService service;
    private final int defaultPageSize;

    public JobResource(JobService service,
            @ConfigProperty(name = "mljobs.jobs.default-page-size")
            int defaultPageSize) {
        this.service = service;
        this.defaultPageSize = defaultPageSize;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> submit(CreateJobRequest request, UriInfo uri) {
        return service.submit(request).map(job -> Response
                .created(uri.getBaseUriBuilder().path("jobs").path(job.jobUuid().toString()).build())
                .entity(job)
                .build());
    }

    @POST
    @Path("/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> submitBatch(BatchCreateRequest request) {
        return service.submitBatch(request).map(created -> Response.status(Response.Status.CREATED)
                .entity(created)
                .build());
    }

    @GET
    @Path("/{jobUuid}")
    public Uni<JobView> get(@RestPath String jobUuid) {
        return service.findByUuid(Params.uuid("job_uuid", jobUuid));
    }

    @GET
    public Uni<JobPage> list(@RestQuery String limit, @RestQuery String cursor, @RestQuery String status,
            @RestQuery("created_after") String createdAfter, @RestQuery("created_before") String createdBefore,
            @RestQuery String order) {
        return service.findPage(PageRequest.parse(limit, cursor, status, createdAfter, createdBefore, order,
                defaultPageSize));
    }
}
