package io.mljobs.job;

import java.util.List;
import java.util.UUID;

/** The new jobs' identifiers, in the order the request listed the jobs. */
public record BatchCreated(List<UUID> jobUuids) {
}
