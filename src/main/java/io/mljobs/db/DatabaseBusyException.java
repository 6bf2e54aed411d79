package io.mljobs.db;

/**
 * The database cannot take more work now: every connection is busy and the wait queue is full,
 * or no connection came in time. Answered as 503 with Retry-After; built without a stack trace,
 * since under overload thousands are thrown a second and the message says all there is.
 */
public class DatabaseBusyException extends RuntimeException {

    public DatabaseBusyException(String message) {
        super(message, null, false, false);
    }
}
