package io.mljobs.job;

import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonValue;

import io.mljobs.api.LowerCaseEnums;

/** A job's place in its lifecycle; stored and shown in lower case. */
public enum JobStatus {
    PENDING,
    RUNNING,
    COMPLETED,
    FAILED;

    // Resolved once: every listed job's status is serialized through value().
    private final String value = LowerCaseEnums.value(this);

    public static final String ALLOWED = LowerCaseEnums.allowed(JobStatus.class);

    @JsonValue
    public String value() {
        return value;
    }

    public static Optional<JobStatus> parse(String value) {
        return LowerCaseEnums.parse(JobStatus.class, value);
    }
}
