package io.mljobs.api;

import java.io.IOException;

import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Turns every failure into a problem body: the client's own mistakes into 4xx with a detail that
 * says what to fix, anything unexpected into a 500 that reveals nothing but a log reference.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    private final Instance<FailureClassifier> classifiers;

    public ProblemMapper(Instance<FailureClassifier> classifiers) {
        this.classifiers = classifiers;
    }

    @ServerExceptionMapper
    public Response mapProblem(ProblemException e, UriInfo uri) {
        Response.ResponseBuilder response = Response.fromResponse(respond(e.problem(), uri));
        if (e.retryAfterSeconds() != null) {
            response.header("Retry-After", e.retryAfterSeconds());
        }
        if (e.location() != null) {
            response.location(uri.getBaseUriBuilder().path(e.location().getPath()).build());
        }
        return response.build();
    }

    @ServerExceptionMapper({ JsonProcessingException.class, MismatchedInputException.class })
    public Response mapUnreadableJson(JsonProcessingException e, UriInfo uri) {
        // The parser's own message would echo internals (class names, stream positions).
        String field = e instanceof JsonMappingException mapping ? fieldPath(mapping) : "";
        String detail = field.isEmpty()
                ? "The body is not valid JSON of the expected shape" + (e.getLocation() == null ? ""
                        : " (line "
                                + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")")
                        + "."
                : "Field " + field + " has the wrong type or format.";
        return respond(new Problem("/problems/malformed-body", "Malformed request body", 400, detail, null), uri);
    }

    @ServerExceptionMapper
    public Response mapHttpError(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            // Quarkus REST wraps some parse errors (a duplicate key, for one) in a bare 400.
            return mapUnreadableJson(json, uri);
        }
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            LOG.error("request failed", e);
        }
        return respond(StatusProblems.of(status.getStatusCode()), uri);
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response mapUnauthenticated(RuntimeException e, UriInfo uri) {
        Response problem = respond(new Problem("/problems/unauthorized", "Authentication required", 401,
                "Send HTTP Basic credentials of a user with the role this endpoint needs.", null), uri);
        return Response.fromResponse(problem).header("WWW-Authenticate", "Basic realm=\"ml-jobs\"").build();
    }

    @ServerExceptionMapper
    public Response mapForbidden(ForbiddenException e, UriInfo uri) {
        return respond(new Problem("/problems/forbidden", "Forbidden", 403,
                "This user lacks the role this endpoint needs (admin for /admin, reader, submitter or worker for /jobs).",
                null), uri);
    }

    @ServerExceptionMapper
    public Response mapUnexpected(Throwable e, UriInfo uri) {
        // Every path, ORM included, and whatever wraps the cause: the layer that raised it decides.
        for (FailureClassifier classifier : classifiers) {
            var problem = classifier.classify(e);
            if (problem.isPresent()) {
                return mapProblem(problem.get(), uri);
            }
        }
        if (e instanceof IOException && "Request too large".equals(e.getMessage())) {
            // A chunked body past the limit: Quarkus has already answered 413; not a server fault to log.
            return respond(StatusProblems.of(413), uri);
        }
        String reference = Long.toHexString(System.nanoTime());
        LOG.errorf(e, "unexpected failure (reference %s)", reference);
        return respond(new Problem("/problems/internal-error", "Internal error", 500,
                "The request failed on the server; reference " + reference + " in its log.", null), uri);
    }

    /** The JSON path of the offending field, such as {@code results[3].job_uuid}; empty if none. */
    private static String fieldPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static Response respond(Problem problem, UriInfo uri) {
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem.withInstance(uri == null ? null : uri.getPath()))
                .build();
    }
}
