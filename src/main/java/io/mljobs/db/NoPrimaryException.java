package io.mljobs.db;

/**
 * No host of a multi-host {@code mljobs.db.url} is the primary now: a failover is under way (the old primary is gone,
 * the standby not yet promoted). Answered as 503 with Retry-After; built without a stack trace, since every new
 * connection asked for meanwhile fails with one.
 */
public class NoPrimaryException extends RuntimeException {

    public NoPrimaryException(String message) {
        super(message, null, false, false);
    }
}
