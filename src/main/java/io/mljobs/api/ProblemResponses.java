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
    /** The job API's readers and submitters, with access control on. */
    public static final String FORBIDDEN = "Forbidden";
    /** The worker API, with access control on: another role, or a body worker_id naming another user. */
    public static final String NOT_THIS_WORKER = "NotThisWorker";
    public static final String NOT_JSON = "NotJson";
    public static final String PAYLOAD_TOO_LARGE = "PayloadTooLarge";
    public static final String JOB_NOT_FOUND = "JobNotFound";
    public static final String JOB_NOT_HELD = "JobNotHeld";
    public static final String ARCHIVE_RUN_NOT_FOUND = "ArchiveRunNotFound";
    public static final String ARCHIVE_RUNNING = "ArchiveRunning";
    public static final String ARCHIVE_FAILED = "ArchiveFailed";
    public static final String TOO_MANY_FAILED_LOGINS = "TooManyFailedLogins";
    /** Every operation that reads the database, and every one with a body (the body budget). */
    public static final String UNAVAILABLE = "Unavailable";

    private ProblemResponses() {
    }
}
