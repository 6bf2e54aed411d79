package io.mljobs.db;

import org.jboss.logging.Logger;

/**
 * Logs a database outage once when it starts and once when it ends, with how long it lasted and
 * how many requests failed meanwhile, instead of a line (or a stack trace) per failed request.
 */
final class Outages {

    private static final Logger LOG = Logger.getLogger(Outages.class);

    private volatile boolean down;
    private long since;
    private long failures;

    void failed(Throwable cause) {
        synchronized (this) {
            failures++;
            if (down) {
                return;
            }
            down = true;
            since = System.nanoTime();
            failures = 1;
        }
        LOG.warnf("database unavailable (%s); requests answer 503 until it is back", cause.getMessage());
    }

    void succeeded() {
        if (!down) {
            return;
        }
        long lasted;
        long failed;
        synchronized (this) {
            if (!down) {
                return;
            }
            down = false;
            lasted = System.nanoTime() - since;
            failed = failures;
        }
        LOG.warnf("database available again after %.1f s; %d queries failed meanwhile", lasted / 1e9, failed);
    }
}
