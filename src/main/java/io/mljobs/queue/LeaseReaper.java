package io.mljobs.queue;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.mljobs.config.MlJobsConfig;
import io.mljobs.job.PendingJobsSignal;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Returns running jobs whose worker went silent for longer than the lease to pending, in batches.
 * Safe on every replica at once: SKIP LOCKED keeps two reapers off the same rows.
 */
@ApplicationScoped
public class LeaseReaper {

    private static final Logger LOG = Logger.getLogger(LeaseReaper.class);
    static final int BATCH = 1_000;

    private final QueueRepository queue;
    private final PendingJobsSignal pending;
    private final ClaimFloor floor;
    private final Duration lease;

    public LeaseReaper(QueueRepository queue, PendingJobsSignal pending, ClaimFloor floor, MlJobsConfig config) {
        this.queue = queue;
        this.pending = pending;
        this.floor = floor;
        this.lease = config.queue().lease();
    }

    @Scheduled(every = "${mljobs.queue.reap-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> onSchedule() {
        return reapExpired().invoke(reaped -> {
            if (reaped > 0) {
                LOG.infof("returned %d jobs with expired leases to pending", reaped);
            }
        }).replaceWithVoid();
    }

    /** Reaps until a batch comes back short; answers the total. */
    public Uni<Integer> reapExpired() {
        return queue.reapExpired(lease, BATCH)
                .invoke(reaped -> {
                    if (reaped > 0) {
                        floor.rescan(); // they keep their creation time, below the floor
                    }
                })
                .invoke(pending::announce)
                .chain(reaped -> reaped < BATCH ? Uni.createFrom().item(reaped)
                        : reapExpired().map(more -> reaped + more));
    }
}
