package io.mljobs.queue;

/** Body of {@code POST /jobs/claim}. */
public record ClaimRequest(String workerId, Integer limit) {
}
