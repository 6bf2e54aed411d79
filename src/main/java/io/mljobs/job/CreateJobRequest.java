package io.mljobs.job;

/** Body of {@code POST /jobs}. */
public record CreateJobRequest(String inputText) {
}
