package io.mljobs.job;

import java.util.List;

/** Body of {@code POST /jobs/batch}: 1 to 1,000 jobs, created all or none. */
public record BatchCreateRequest(List<CreateJobRequest> jobs) {
}
