package io.mljobs.job;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.mljobs.api.Params;
import io.mljobs.api.ProblemException;
import io.mljobs.config.MlJobsConfig;
import io.smallrye.mutiny.Uni;

/** Job submission and reads: the rules between the HTTP shape and the SQL. */
@ApplicationScoped
public class JobService {

    private final JobRepository jobs;
    private final ArchivedJobs archived;
    private final PendingJobsSignal pending;
    private final int maxInputLength;

    public JobService(JobRepository jobs, ArchivedJobs archived, PendingJobsSignal pending, MlJobsConfig config) {
        this.jobs = jobs;
        this.archived = archived;
        this.pending = pending;
        this.maxInputLength = config.jobs().maxInputLength();
    }

    public static final int MAX_BATCH = 1_000;

    public Uni<JobView> submit(CreateJobRequest request) {
        return jobs.insert(Job.pending(validInput(request, "input_text")))
                .invoke(created -> pending.announce(1))
                .map(JobView::from);
    }

    /** Creates every job in one statement, or none if any element is invalid. */
    public Uni<BatchCreated> submitBatch(BatchCreateRequest request) {
        List<CreateJobRequest> items = Params.batch("jobs", request == null ? null : request.jobs(), MAX_BATCH);
        UUID[] uuids = new UUID[items.size()];
        String[] inputs = new String[items.size()];
        for (int i = 0; i < items.size(); i++) {
            inputs[i] = validInput(items.get(i), "jobs[" + i + "].input_text");
            uuids[i] = UUID.randomUUID();
        }
        return jobs.insertBatch(uuids, inputs)
                .invoke(pending::announce)
                .map(inserted -> new BatchCreated(List.of(uuids)));
    }

    private String validInput(CreateJobRequest request, String field) {
        String input = Params.storable(field, request == null ? null : request.inputText());
        if (input == null || input.isBlank()) {
            throw ProblemException.invalidParameter(field, field + " is required and must not be blank.");
        }
        if (input.length() > maxInputLength) {
            throw ProblemException.invalidParameter(field, field + " must be at most " + maxInputLength
                    + " characters, was " + input.length() + ".");
        }
        return input;
    }

    /**
     * The live job, or else the archived one: a job leaves ml_jobs in the statement that archives it, so it is
     * in one of the two. The archive is asked only on a miss, so a live job costs what it always did.
     */
    public Uni<JobView> findByUuid(UUID jobUuid) {
        return jobs.findByUuid(jobUuid)
                .chain(live -> live.isPresent() ? Uni.createFrom().item(live) : archived.findByUuid(jobUuid))
                .map(found -> found.orElseThrow(() -> JobProblems.notFound(jobUuid)));
    }

    public Uni<JobPage> findPage(PageRequest request) {
        return Pages.page(jobs, request);
    }
}
