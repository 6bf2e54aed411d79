package io.mljobs.db;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.vertx.mutiny.sqlclient.Pool;

/**
 * One read replica: its pool and the admission in front of it, a one-connection pool of its own for the lag
 * checks (so that a check never queues behind reads), and what the last check found. It serves reads while it
 * answers, is a streaming standby, and is at most max-lag behind the primary.
 */
final class Replica {

    private static final Logger LOG = Logger.getLogger(Replica.class);

    private final String name;
    private final String url;
    private final Pool pool;
    private final Pool checkPool;
    private final Admission admission;
    private final double maxLagSeconds;
    private final AtomicBoolean checkGoing = new AtomicBoolean();

    private volatile boolean up;
    private volatile double lagSeconds = Double.NaN;
    private volatile boolean serving;
    private volatile String problem = "not checked yet";
    /** What was last logged: null before the first check, so that the first state is logged either way. */
    private Boolean logged;

    Replica(String name, String url, Pool pool, Pool checkPool, Admission admission, double maxLagSeconds) {
        this.name = name;
        this.url = url;
        this.pool = pool;
        this.checkPool = checkPool;
        this.admission = admission;
        this.maxLagSeconds = maxLagSeconds;
    }

    /** {@code replica-1}, {@code replica-2}, … by position in the configured list: the metrics' label. */
    String name() {
        return name;
    }

    /** The URL without its password. */
    String url() {
        return url;
    }

    Pool pool() {
        return pool;
    }

    Pool checkPool() {
        return checkPool;
    }

    Admission admission() {
        return admission;
    }

    boolean up() {
        return up;
    }

    /** Seconds behind the primary at the last check; NaN while down, +Infinity while it cannot be bounded. */
    double lagSeconds() {
        return lagSeconds;
    }

    boolean serving() {
        return serving;
    }

    /** Why it serves no reads, or null while it does. */
    String problem() {
        return problem;
    }

    /** False while the last check's query is still going: then none is sent. */
    boolean checkStarted() {
        return checkGoing.compareAndSet(false, true);
    }

    void checkEnded() {
        checkGoing.set(false);
    }

    /** A check answered: a standby (or not) this far behind. */
    void checked(boolean standby, double lag) {
        up = true;
        lagSeconds = lag;
        if (!standby) {
            update(false, "not a standby (pg_is_in_recovery() is false): its data may differ from the primary's");
        } else if (!(lag <= maxLagSeconds)) {
            update(false, Double.isInfinite(lag) ? "its lag cannot be bounded yet"
                    : String.format(Locale.ROOT, "%.1f s behind the primary, over max-lag %.1f s", lag, maxLagSeconds));
        } else {
            update(true, null);
        }
    }

    /** A check failed or a read on it lost its connection: skipped until a check answers again. */
    void down(Throwable cause) {
        up = false;
        lagSeconds = Double.NaN;
        update(false, "down: " + cause.getMessage());
    }

    /** Logs a change of whether it serves reads, once, not each check. */
    private synchronized void update(boolean nowServing, String why) {
        serving = nowServing;
        problem = why;
        if (logged != null && logged == nowServing) {
            return;
        }
        logged = nowServing;
        if (nowServing) {
            LOG.infof("read replica %s (%s) serves reads (%.1f s behind the primary)", name, url, lagSeconds);
        } else {
            LOG.warnf("read replica %s (%s) skipped, its reads go to the primary: %s", name, url, why);
        }
    }
}
