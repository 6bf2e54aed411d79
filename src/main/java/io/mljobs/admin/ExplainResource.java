package io.mljobs.admin;

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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

import io.mljobs.api.LowerCaseEnums;
import io.mljobs.api.Params;
import io.mljobs.api.ProblemException;
import io.mljobs.api.ProblemResponses;
import io.smallrye.mutiny.Uni;

/** Plans of the service's own queries on demand, for operators without a database shell. */
@Path("/admin/explain")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
@SecurityRequirement(name = "basic")
@APIResponse(responseCode = "400", ref = ProblemResponses.INVALID_PARAMETER)
@APIResponse(responseCode = "401", ref = ProblemResponses.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ProblemResponses.NOT_ADMIN)
@APIResponse(responseCode = "429", ref = ProblemResponses.TOO_MANY_FAILED_LOGINS)
@APIResponse(responseCode = "503", ref = ProblemResponses.UNAVAILABLE)
public class ExplainResource {

    private static final String TYPES = LowerCaseEnums.allowed(Explainer.Type.class);

    private final Explainer explainer;

    public ExplainResource(Explainer explainer) {
        this.explainer = explainer;
    }

    @GET
    @Operation(operationId = "explainQuery", summary = "EXPLAIN ANALYZE of one of the service's own queries: pending, recent, status_count, date_range or deep_page")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = Explainer.Summary.class)))
    public Uni<Explainer.Summary> explain(
            @Parameter(required = true, description = "Which of the service's queries", schema = @Schema(type = SchemaType.STRING, enumeration = {
                    "pending", "recent", "status_count", "date_range",
                    "deep_page" })) @RestQuery("query_type") String queryType,
            UriInfo uri) {
        Params.notEmpty(uri, "query_type");
        Explainer.Type type = Explainer.Type.parse(queryType).orElseThrow(() -> ProblemException.invalidParameter(
                "query_type", "query_type must be one of " + TYPES + "."));
        return explainer.explain(type);
    }
}
