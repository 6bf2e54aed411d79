package io.mljobs.monitoring;

import io.mljobs.web.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.RestQuery;

/** Plans of the service's own queries on demand, for operators without a database shell. */
@Path("/admin/explain")
@Produces(MediaType.APPLICATION_JSON)
public class ExplainResource {

    private static final String TYPES = Arrays.stream(Explainer.Type.values()).map(Explainer.Type::value)
            .collect(Collectors.joining(", "));

    private final Explainer explainer;

    public ExplainResource(Explainer explainer) {
        this.explainer = explainer;
    }

    @GET
    public Uni<Explainer.Summary> explain(@RestQuery("query_type") String queryType) {
        Explainer.Type type = Explainer.Type.parse(queryType).orElseThrow(() -> ProblemException.invalidParameter(
                "query_type", "query_type must be one of " + TYPES + "."));
        return explainer.explain(type);
    }
}
