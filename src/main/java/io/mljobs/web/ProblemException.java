package io.mljobs.web;

/** A failure the client can act on; mapped to a problem response with its status. */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;

    public ProblemException(int status, String slug, String title, String detail) {
        super(detail, null, false, false);
        this.problem = new Problem("/problems/" + slug, title, status, detail, null);
    }

    public Problem problem() {
        return problem;
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
