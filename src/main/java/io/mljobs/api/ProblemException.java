package io.mljobs.api;

/** A failure the client can act on; mapped to a problem response with its status. */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;
    private final Integer retryAfterSeconds;

    public ProblemException(int status, String slug, String title, String detail) {
        this(status, slug, title, detail, null);
    }

    private ProblemException(int status, String slug, String title, String detail, Integer retryAfterSeconds) {
        super(detail, null, false, false);
        this.problem = new Problem("/problems/" + slug, title, status, detail, null);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Problem problem() {
        return problem;
    }

    /** Seconds for the Retry-After header, or null for none. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** 503: the service cannot take this request now; the client should retry after the given time. */
    public static ProblemException unavailable(String slug, String title, String detail, int retryAfterSeconds) {
        return new ProblemException(503, slug, title, detail, retryAfterSeconds);
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
