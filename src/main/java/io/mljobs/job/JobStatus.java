package io.mljobs.job;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonValue;

/** A job's place in its lifecycle; stored and shown in lower case. */
public enum JobStatus {
    PENDING,
    RUNNING,
    COMPLETED,
    FAILED;

    // Resolved once: every listed job's status is serialized through value().
    private final String value = name().toLowerCase(Locale.ROOT);

    public static final String ALLOWED = Arrays.stream(values())
            .map(JobStatus::value)
            .collect(Collectors.joining(", "));

    @JsonValue
    public String value() {
        return value;
    }

    public static Optional<JobStatus> parse(String value) {
        return value == null ? Optional.empty() : Optional.ofNullable(switch (value) {
            case "pending" -> PENDING;
            case "running" -> RUNNING;
            case "completed" -> COMPLETED;
            case "failed" -> FAILED;
            default -> null;
        });
    }
}
