package io.mljobs.job;

import java.util.UUID;

import io.mljobs.api.ProblemException;

/** Problems about a job that the job and queue endpoints answer alike. */
public final class JobProblems {

    private JobProblems() {
    }

    public static ProblemException notFound(UUID jobUuid) {
        return ProblemException.notFound("No job with job_uuid " + jobUuid + ".");
    }
}
