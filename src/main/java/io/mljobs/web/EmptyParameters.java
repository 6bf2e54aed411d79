package io.mljobs.web;

import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A query parameter of the API given with an empty value ({@code days_old=}) is a 400, not its
 * default: Quarkus REST hands an empty value to the resource as null, the same as an absent one,
 * so the check has to see the raw query. Unknown parameters are left alone, as elsewhere.
 */
public class EmptyParameters {

    static final Set<String> API_PARAMETERS = Set.of("limit", "cursor", "status", "created_after", "created_before",
            "order", "days_old", "batch_size", "query_type");

    @ServerRequestFilter
    public void rejectEmpty(UriInfo uri) {
        for (Map.Entry<String, List<String>> parameter : uri.getQueryParameters().entrySet()) {
            String name = parameter.getKey();
            if (API_PARAMETERS.contains(name) && parameter.getValue().stream().anyMatch(String::isEmpty)) {
                throw ProblemException.invalidParameter(name, name + " is empty; leave it out for the default "
                        + "or give a value.");
            }
        }
    }
}
