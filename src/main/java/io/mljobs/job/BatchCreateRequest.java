package io.mljobs.job;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /jobs/batch}: 1 to 1,000 jobs, created all or none. */
public record BatchCreateRequest(@Schema(required = true, minItems = 1, maxItems = 1000) List<CreateJobRequest> jobs) {
}
