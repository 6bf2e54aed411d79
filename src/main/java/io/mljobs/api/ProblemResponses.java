package io.mljobs.api;

/**
 * Names of the problem responses the endpoints document, declared once as OpenAPI components in
 * this package's package-info; an operation names one:
 * {@code @APIResponse(responseCode = "404", ref = ProblemResponses.JOB_NOT_FOUND)}.
 */
public final class ProblemResponses {

    public static final String BAD_REQUEST = "BadRequest";
    /** For endpoints that take no body. */
    public static final String INVALID_PARAMETER = "InvalidParameter";
    public static final String UNAUTHORIZED = "Unauthorized";
    public static final String NOT_ADMIN = "NotAdmin";
    public static final String NOT_JSON = "NotJson";
    public static final String JOB_NOT_FOUND = "JobNotFound";
    public static final String JOB_NOT_HELD = "JobNotHeld";
    public static final String ARCHIVE_RUN_NOT_FOUND = "ArchiveRunNotFound";
    public static final String ARCHIVE_RUNNING = "ArchiveRunning";
    public static final String ARCHIVE_FAILED = "ArchiveFailed";

    private ProblemResponses() {
    }
}
