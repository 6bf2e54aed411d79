package io.mljobs.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.mljobs.config.MlJobsConfig;
import io.mljobs.job.JobView;

/**
 * Where a claim starts reading the pending index. A claimed job leaves a dead entry at the head of the partial pending
 * index, and while any snapshot older than the claim is open (a long report, a replica's query with feedback) no scan
 * may mark it dead: every claim from the head re-checks every job claimed since that snapshot, 31,000 buffers and
 * 480 ms a claim after four minutes at 1,000 jobs/s. So a claim starts at the floor: the creation time of the newest
 * job the last claim took, less {@link #MARGIN}. Below it are only jobs claimed already, and the rare pending job that
 * got there later: one whose submission committed more than the margin after its {@code created_at} was taken, one a
 * failed claim left behind, one the lease reaper returned. A full claim from the head, every
 * {@code mljobs.queue.claim-sweep-every} and right after this replica's reaper returned jobs, takes those: none is
 * ever left behind, at worst it waits one sweep interval.
 */
@ApplicationScoped
public class ClaimFloor {

    /**
     * A submission takes {@code created_at} when it starts and is seen when it commits; most commit within
     * milliseconds, and the margin also covers clocks of service replicas a little apart (single submissions take the
     * time from the JVM). Later commits wait for the next sweep.
     */
    static final Duration MARGIN = Duration.ofSeconds(2);

    private final long sweepEveryNanos;
    private final LongSupplier clock;
    private Instant floor;
    private long lastSweep;
    private boolean sweepDue = true;

    @Inject
    public ClaimFloor(MlJobsConfig config) {
        this(config.queue().claimSweepEvery(), System::nanoTime);
    }

    ClaimFloor(Duration sweepEvery, LongSupplier clock) {
        this.sweepEveryNanos = sweepEvery.toNanos();
        this.clock = clock;
    }

    /** The creation time the next claim starts at, or null for a full claim from the head of the queue. */
    public synchronized Instant next() {
        long now = clock.getAsLong();
        if (floor == null || sweepDue || now - lastSweep >= sweepEveryNanos) {
            sweepDue = false;
            lastSweep = now;
            return null;
        }
        return floor;
    }

    /**
     * After a claim (its jobs oldest first): the floor moves up to its newest job, never down (a sweep's straggler does
     * not pull it back). Every pending job older than that was taken by this claim or held by a concurrent one.
     */
    public void claimed(List<JobView> jobs) {
        if (!jobs.isEmpty()) {
            claimedUpTo(jobs.get(jobs.size() - 1).createdAt());
        }
    }

    /** The same, given the creation time of the newest job a claim took. */
    synchronized void claimedUpTo(Instant newest) {
        Instant candidate = newest.minus(MARGIN);
        if (floor == null || candidate.isAfter(floor)) {
            floor = candidate;
        }
    }

    /** The creation time claims start at (null until a claim took a job). */
    synchronized Instant floor() {
        return floor;
    }

    /** Jobs went back to pending below the floor (the lease reaper): the next claim reads from the head. */
    public synchronized void rescan() {
        sweepDue = true;
    }
}
