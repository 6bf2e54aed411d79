package io.mljobs.job;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.mljobs.db.Notifications;
import io.vertx.mutiny.core.Vertx;

/**
 * Tells every replica that jobs became pending, so that waiting claims wake: NOTIFY on {@link #CHANNEL}, payload
 * the number of jobs, sent after the statement that made them pending has committed.
 *
 * <p>
 * Sent by the service, not by a trigger on ml_jobs: PostgreSQL serializes the commits of all transactions that
 * notify on one lock, held through each commit's WAL flush, which would put every submission in a single line. Here
 * submissions commit as before, at most one NOTIFY per replica is in flight, and jobs announced meanwhile go out
 * together in the next one. A writer outside the service may send {@code NOTIFY ml_jobs_pending} itself; a payload
 * that is not a number wakes every waiting claim.
 */
@ApplicationScoped
public class PendingJobsSignal {

    private static final Logger LOG = Logger.getLogger(PendingJobsSignal.class);

    public static final String CHANNEL = "ml_jobs_pending";
    private static final long RETRY_MS = 1_000;

    private final Notifications notifications;
    private final Vertx vertx;
    private final AtomicLong unsent = new AtomicLong();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    /** Logged once per run of failures, not per attempt. */
    private final AtomicBoolean failing = new AtomicBoolean();

    public PendingJobsSignal(Notifications notifications, Vertx vertx) {
        this.notifications = notifications;
        this.vertx = vertx;
    }

    /** Announces jobs that are now pending and committed; never fails and never waits. */
    public void announce(long jobs) {
        if (jobs > 0) {
            unsent.addAndGet(jobs);
            sendUnsent();
        }
    }

    private void sendUnsent() {
        if (!sending.compareAndSet(false, true)) {
            return; // the send in flight sends the rest when it ends
        }
        long jobs = unsent.getAndSet(0);
        if (jobs == 0) {
            sending.set(false);
            if (unsent.get() > 0) {
                sendUnsent();
            }
            return;
        }
        notifications.send(CHANNEL, Long.toString(jobs)).subscribe().with(sent -> {
            failing.set(false);
            sending.set(false);
            if (unsent.get() > 0) {
                sendUnsent();
            }
        }, failure -> {
            // Kept and sent again: replicas whose own listener stayed up would not re-check.
            if (failing.compareAndSet(false, true)) {
                LOG.warnf("NOTIFY %s failed (%s); retrying every %d ms", CHANNEL, failure.toString(), RETRY_MS);
            }
            unsent.addAndGet(jobs);
            sending.set(false);
            if (retryScheduled.compareAndSet(false, true)) {
                vertx.setTimer(RETRY_MS, id -> {
                    retryScheduled.set(false);
                    sendUnsent();
                });
            }
        });
    }
}
