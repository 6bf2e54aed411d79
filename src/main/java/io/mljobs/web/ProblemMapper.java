package io.mljobs.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.mljobs.monitoring.Db;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.net.SocketException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure into a problem body: the client's own mistakes into 4xx with a detail that
 * says what to fix, anything unexpected into a 500 that reveals nothing but a log reference.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    private static final String RETRY_AFTER_SECONDS = "1";

    @ServerExceptionMapper
    public Response mapProblem(ProblemException e, UriInfo uri) {
        return respond(e.problem(), uri);
    }

    @ServerExceptionMapper({JsonProcessingException.class, MismatchedInputException.class})
    public Response mapUnreadableJson(JsonProcessingException e, UriInfo uri) {
        // The parser's own message would echo internals (class names, stream positions).
        String field = e instanceof JsonMappingException mapping ? fieldPath(mapping) : "";
        String detail = field.isEmpty()
                ? "The body is not valid JSON of the expected shape" + (e.getLocation() == null ? "" : " (line "
                        + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")") + "."
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

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response mapUnauthenticated(RuntimeException e, UriInfo uri) {
        Response problem = respond(new Problem("/problems/unauthorized", "Authentication required", 401,
                "Send HTTP Basic credentials of a user with role admin.", null), uri);
        return Response.fromResponse(problem).header("WWW-Authenticate", "Basic realm=\"ml-jobs\"").build();
    }

    @ServerExceptionMapper
    public Response mapForbidden(ForbiddenException e, UriInfo uri) {
        return respond(new Problem("/problems/forbidden", "Forbidden", 403,
                "This user lacks role admin, which every /admin endpoint needs.", null), uri);
    }

    /**
     * The database cannot take the query now: the pool's wait queue is full, no connection came
     * within the wait bound, or PostgreSQL is unreachable or shutting down. Clients should retry.
     */
    @ServerExceptionMapper({VertxException.class, SocketException.class, PgException.class,
        ClosedConnectionException.class})
    public Response mapDatabaseUnavailable(Exception e, UriInfo uri) {
        if (e instanceof PgException pg && isDataException(pg)) {
            return mapProblem(ProblemException.badRequest("A value in the request is outside what the database "
                    + "accepts (SQLSTATE " + pg.getSqlState() + ")."), uri);
        }
        if (!databaseUnavailable(e)) {
            return mapUnexpected(e, uri);
        }
        LOG.debugf("database unavailable: %s", e.getMessage());
        Response problem = respond(new Problem("/problems/database-unavailable", "Database busy or unavailable", 503,
                "The database cannot take this request now; retry after the time in Retry-After.", null), uri);
        return Response.fromResponse(problem).header("Retry-After", RETRY_AFTER_SECONDS).build();
    }

    /**
     * SQLSTATE class 22 (data exception: a NUL byte, a value out of range…) is a value the client
     * sent; validation should have caught it first, but if one slips through it is still a 400.
     */
    static boolean isDataException(PgException e) {
        return e.getSqlState() != null && e.getSqlState().startsWith("22");
    }

    static boolean databaseUnavailable(Throwable e) {
        // SocketException covers both a refused connection and one reset under a running query.
        if (e instanceof ConnectionPoolTooBusyException || e instanceof SocketException
                || e instanceof ClosedConnectionException) {
            return true;
        }
        if (e instanceof PgException pg) {
            // 57P01-57P03: the server is shutting down or starting up; 53300: too many connections;
            // class 40: a deadlock or serialization failure that outlasted Db's retries.
            return pg.getSqlState() != null && (pg.getSqlState().startsWith("57P") || pg.getSqlState().equals("53300")
                    || Db.isTransientConflict(pg));
        }
        String message = String.valueOf(e.getMessage());
        return message.startsWith("Timeout waiting for connection") || message.contains("Connection refused")
                || message.contains("Connection was closed") || message.contains("Pool closed");
    }

    @ServerExceptionMapper
    public Response mapUnexpected(Throwable e, UriInfo uri) {
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
