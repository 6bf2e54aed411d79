package io.mljobs.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.mljobs.api.Params;
import io.mljobs.api.ProblemException;
import io.mljobs.config.MlJobsConfig;
import io.mljobs.job.JobProblems;
import io.mljobs.job.JobStatus;
import io.mljobs.job.JobView;
import io.mljobs.queue.QueueRepository.BatchOutcome;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;

/**
 * The worker's side of the queue. Only running → completed | failed is allowed; a worker that
 * names itself can only touch jobs it holds.
 *
 * <p>
 * With access control on ({@code mljobs.security.jobs-api}), the worker is always the
 * authenticated user: a claim records the user's name as worker_id, and heartbeats and reports
 * act only on jobs that user holds, whatever the body says. A body worker_id naming someone else is
 * refused with 403 (the caller may not act as another worker), not ignored, so a misconfigured
 * worker learns at once. With it off, the body's worker_id is taken at its word, as before.
 */
@ApplicationScoped
public class QueueService {

    public static final int MAX_CLAIM = 100;
    public static final int MAX_RESULTS = 1_000;
    public static final int MAX_WAIT_SECONDS = 30;
    static final int MAX_WORKER_ID = 200;
    static final int MAX_LABEL = 1_000;
    static final int MAX_ERROR = 10_000;

    private final QueueRepository queue;
    private final ClaimFloor floor;
    private final ClaimWaiters waiters;
    private final Duration lease;
    private final Duration longestWait;
    private final boolean accessControl;
    private final CurrentIdentityAssociation identities;

    public QueueService(QueueRepository queue, ClaimFloor floor, ClaimWaiters waiters, MlJobsConfig config,
            CurrentIdentityAssociation identities) {
        this.queue = queue;
        this.floor = floor;
        this.waiters = waiters;
        this.lease = config.queue().lease();
        this.longestWait = longestWait(config.http().idleTimeout());
        this.accessControl = config.security().jobsApi();
        this.identities = identities;
    }

    public Uni<ClaimedJobs> claim(ClaimRequest request) {
        if (request == null) {
            throw ProblemException.badRequest("The body must be {\"worker_id\": \"…\", \"limit\": n}.");
        }
        // With access control the user is the worker, so the body need not name it.
        String named = accessControl ? Params.optionalText("worker_id", request.workerId(), MAX_WORKER_ID)
                : Params.requiredText("worker_id", request.workerId(), MAX_WORKER_ID);
        int limit = request.limit() == null ? 1 : request.limit();
        if (limit < 1 || limit > MAX_CLAIM) {
            throw ProblemException.invalidParameter("limit", "limit must be from 1 to " + MAX_CLAIM + ", was "
                    + limit + ".");
        }
        int waitSeconds = request.waitSeconds() == null ? 0 : request.waitSeconds();
        if (waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
            throw ProblemException.invalidParameter("wait_seconds", "wait_seconds must be from 0 to "
                    + MAX_WAIT_SECONDS + ", was " + waitSeconds + ".");
        }
        return worker("worker_id", named)
                .chain(workerId -> waitSeconds == 0 ? claimOldest(workerId, limit)
                        : claimWaiting(workerId, limit, min(Duration.ofSeconds(waitSeconds), longestWait)))
                .map(ClaimedJobs::new);
    }

    /**
     * A waiting claim reads and writes nothing, so the connection's idle timeout would cut it: it ends 5 s before,
     * with room for the claim that follows, and never after {@value #MAX_WAIT_SECONDS} s.
     */
    static Duration longestWait(Duration idleTimeout) {
        Duration beforeIdle = idleTimeout.minusSeconds(5);
        return beforeIdle.isNegative() ? Duration.ZERO : min(beforeIdle, Duration.ofSeconds(MAX_WAIT_SECONDS));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Claims; while the queue is empty, waits for jobs (no connection held) until {@code wait} has passed. */
    private Uni<List<JobView>> claimWaiting(String workerId, int limit, Duration wait) {
        ClaimWaiters.Waiter waiter = waiters.register(limit, wait.toNanos());
        return claimOrWait(waiter, workerId, limit).onTermination().invoke(waiter::done);
    }

    private Uni<List<JobView>> claimOrWait(ClaimWaiters.Waiter waiter, String workerId, int limit) {
        waiter.beforeClaim();
        return claimOldest(workerId, limit).chain(jobs -> {
            if (!jobs.isEmpty() || waiter.expired()) {
                return Uni.createFrom().item(jobs);
            }
            return waiter.awaitJobs().chain(mayBePending -> mayBePending ? claimOrWait(waiter, workerId, limit)
                    : Uni.createFrom().item(jobs));
        });
    }

    /** The oldest pending jobs, read from the claim floor on. */
    private Uni<List<JobView>> claimOldest(String workerId, int limit) {
        return queue.claim(workerId, limit, floor.next()).invoke(floor::claimed);
    }

    public Uni<JobView> complete(UUID jobUuid, CompleteRequest request) {
        CompleteRequest body = request == null ? new CompleteRequest(null, null, null) : request;
        Double score = Params.finite("result_score", body.resultScore());
        String label = Params.optionalText("result_label", body.resultLabel(), MAX_LABEL);
        return worker("worker_id", Params.optionalText("worker_id", body.workerId(), MAX_WORKER_ID))
                .chain(workerId -> finish(jobUuid, new Finish(JobStatus.COMPLETED, score, label, null, workerId)));
    }

    public Uni<JobView> fail(UUID jobUuid, FailRequest request) {
        FailRequest body = request == null ? new FailRequest(null, null) : request;
        String error = Params.requiredText("error", body.error(), MAX_ERROR);
        return worker("worker_id", Params.optionalText("worker_id", body.workerId(), MAX_WORKER_ID))
                .chain(workerId -> finish(jobUuid, new Finish(JobStatus.FAILED, null, null, error, workerId)));
    }

    public Uni<Lease> heartbeat(UUID jobUuid, HeartbeatRequest request) {
        String named = Params.optionalText("worker_id", request == null ? null : request.workerId(), MAX_WORKER_ID);
        return worker("worker_id", named).chain(workerId -> beat(jobUuid, workerId));
    }

    private Uni<Lease> beat(UUID jobUuid, String workerId) {
        return queue.heartbeat(jobUuid, workerId).map(found -> {
            var beat = found.orElseThrow(() -> JobProblems.notFound(jobUuid));
            if (beat.heartbeatAt() == null) {
                throw notHeld(jobUuid, beat.currentStatus(), beat.currentWorker(), workerId, "have its lease extended");
            }
            return new Lease(jobUuid, beat.currentWorker(), beat.heartbeatAt(), beat.heartbeatAt().plus(lease));
        });
    }

    /** Applies every valid result in one statement; answers each one's outcome in request order. */
    public Uni<ResultsReport> report(ResultsRequest request) {
        List<ResultsRequest.Item> items = Params.batch("results", request == null ? null : request.results(),
                MAX_RESULTS);
        List<Finish> results = new ArrayList<>(items.size());
        List<String> named = new ArrayList<>(items.size());
        UUID[] uuids = new UUID[items.size()];
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String at = "results[" + i + "]";
            ResultsRequest.Item item = items.get(i);
            if (item == null || item.jobUuid() == null) {
                throw ProblemException.invalidParameter(at + ".job_uuid", at + ".job_uuid is required.");
            }
            if (!seen.add(item.jobUuid())) {
                throw ProblemException.invalidParameter(at + ".job_uuid", at + ".job_uuid repeats an earlier result's.");
            }
            JobStatus status = JobStatus.parse(item.status())
                    .filter(s -> s == JobStatus.COMPLETED || s == JobStatus.FAILED)
                    .orElseThrow(() -> ProblemException.invalidParameter(at + ".status",
                            at + ".status must be completed or failed."));
            String worker = Params.optionalText(at + ".worker_id", item.workerId(), MAX_WORKER_ID);
            results.add(status == JobStatus.COMPLETED
                    ? new Finish(status, Params.finite(at + ".result_score", item.resultScore()),
                            Params.optionalText(at + ".result_label", item.resultLabel(), MAX_LABEL), null, worker)
                    : new Finish(status, null, null, Params.requiredText(at + ".error", item.error(), MAX_ERROR),
                            worker));
            uuids[i] = item.jobUuid();
            named.add(worker);
        }
        if (!accessControl) {
            return finishBatch(results, uuids);
        }
        return user().chain(user -> {
            for (int i = 0; i < named.size(); i++) {
                requireSelf("results[" + i + "].worker_id", named.get(i), user);
            }
            List<Finish> asUser = results.stream().map(result -> new Finish(result.status(), result.resultScore(),
                    result.resultLabel(), result.error(), user)).toList();
            return finishBatch(asUser, uuids);
        });
    }

    private Uni<ResultsReport> finishBatch(List<Finish> results, UUID[] uuids) {
        return queue.finishBatch(results, uuids).map(rows -> new ResultsReport(rows.stream()
                .map(QueueService::outcome)
                .toList()));
    }

    /** The worker a request acts as: with access control, the user (refusing another name); otherwise the name given. */
    private Uni<String> worker(String field, String named) {
        if (!accessControl) {
            return Uni.createFrom().item(named);
        }
        return user().map(user -> requireSelf(field, named, user));
    }

    /** The authenticated user's name; the path permissions have already refused anonymous callers. */
    private Uni<String> user() {
        return identities.getDeferredIdentity().map(identity -> {
            if (identity.isAnonymous()) {
                throw new UnauthorizedException();
            }
            return identity.getPrincipal().getName();
        });
    }

    private static String requireSelf(String field, String named, String user) {
        if (named != null && !named.equals(user)) {
            throw ProblemException.forbidden("worker-id-mismatch", field + " is " + named + ", but this request is "
                    + "authenticated as " + user + "; a worker acts under its own user name only. Leave "
                    + field + " out.");
        }
        return user;
    }

    private Uni<JobView> finish(UUID jobUuid, Finish finish) {
        return queue.finish(jobUuid, finish).map(found -> {
            var transition = found.orElseThrow(() -> JobProblems.notFound(jobUuid));
            if (transition.job() == null) {
                throw notHeld(jobUuid, transition.currentStatus(), transition.currentWorker(), finish.workerId(),
                        "be " + finish.status().value());
            }
            return transition.job();
        });
    }

    private static ResultsReport.Outcome outcome(BatchOutcome row) {
        if (row.newStatus() != null) {
            return new ResultsReport.Outcome(row.jobUuid(), row.newStatus().value(), row.newStatus());
        }
        return new ResultsReport.Outcome(row.jobUuid(),
                row.currentStatus() == null ? ResultsReport.NOT_FOUND : ResultsReport.CONFLICT, row.currentStatus());
    }

    /** {@code action} completes "only a running job can …", e.g. "be completed". */
    private static ProblemException notHeld(UUID jobUuid, JobStatus status, String holder, String workerId,
            String action) {
        if (status == JobStatus.RUNNING && workerId != null && !workerId.equals(holder)) {
            return ProblemException.conflict("Job " + jobUuid + " is held by another worker, not " + workerId
                    + "; only its holder's report counts.");
        }
        return ProblemException.conflict("Job " + jobUuid + " is " + status.value() + "; only a running job can " + action
                + ".");
    }
}
