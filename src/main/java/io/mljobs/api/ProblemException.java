package io.mljobs.api;

import java.net.URI;

/** A failure the client can act on; mapped to a problem response with its status. */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;
    private final Integer retryAfterSeconds;
    private final URI location;

    public ProblemException(int status, String slug, String title, String detail) {
        this(new Problem("/problems/" + slug, title, status, detail, null), null, null);
    }

    private ProblemException(Problem problem, Integer retryAfterSeconds, URI location) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.retryAfterSeconds = retryAfterSeconds;
        this.location = location;
    }

    public Problem problem() {
        return problem;
    }

    /** Seconds for the Retry-After header, or null for none. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The resource the problem concerns, relative to the base URI, for the Location header; or null. */
    public URI location() {
        return location;
    }

    /** The same problem, answered with a Location header naming {@code path} under the base URI. */
    public ProblemException withLocation(String path) {
        return new ProblemException(problem, retryAfterSeconds, URI.create(path));
    }

    /** 503: the service cannot take this request now; the client should retry after the given time. */
    public static ProblemException unavailable(String slug, String title, String detail, int retryAfterSeconds) {
        return new ProblemException(new Problem("/problems/" + slug, title, 503, detail, null), retryAfterSeconds,
                null);
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "invalid-request", "Invalid request", detail);
    }

    public static ProblemException invalidParameter(String name, String detail) {
        return new ProblemException(400, "invalid-parameter", "Invalid parameter '" + name + "'", detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "not-found", "Not found", detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "invalid-transition", "Job is not in a state that allows this", detail);
    }

    /** The caller is known but may not do this; {@code slug} names why. */
    public static ProblemException forbidden(String slug, String detail) {
        return new ProblemException(403, slug, "Forbidden", detail);
    }
}
