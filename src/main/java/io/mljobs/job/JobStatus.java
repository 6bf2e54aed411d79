package io.mljobs.job;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** A job's place in its lifecycle; stored and shown in lower case. */
public enum JobStatus {
    PENDING, RUNNING, COMPLETED, FAILED;

    public static final String ALLOWED = Arrays.stream(values())
            .map(JobStatus::value)
            .collect(Collectors.joining(", "));

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<JobStatus> parse(String value) {
        return Arrays.stream(values()).filter(s -> s.value().equals(value)).findFirst();
    }
}
