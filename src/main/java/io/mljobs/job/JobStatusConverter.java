package io.mljobs.job;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Maps {@link JobStatus} to the lower-case text the status CHECK constraint allows. */
@Converter(autoApply = true)
public class JobStatusConverter implements AttributeConverter<JobStatus, String> {

    @Override
    public String convertToDatabaseColumn(JobStatus status) {
        return status == null ? null : status.value();
    }

    @Override
    public JobStatus convertToEntityAttribute(String value) {
        return value == null ? null
                : JobStatus.parse(value)
                        .orElseThrow(() -> new IllegalStateException("unknown job status in database: " + value));
    }
}
