package io.mljobs.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The hand-written serializer writes exactly what Jackson's bean serializer writes for the record. */
class JobViewSerializerTest {

    /** Configured as application.properties configures the service's mapper. */
    private static final ObjectMapper SERVICE = new ObjectMapper().registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** The same mapper with the record's default bean serializer. */
    private static final ObjectMapper REFLECTIVE = SERVICE.copy().addMixIn(JobView.class, BeanSerialized.class);

    @JsonSerialize(using = JsonSerializer.None.class)
    private abstract static class BeanSerialized {
    }

    @Test
    void writesWhatTheBeanSerializerWrites() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2_000; i++) {
            JobView job = randomJob(random);
            assertEquals(REFLECTIVE.writeValueAsString(job), SERVICE.writeValueAsString(job));
        }
    }

    @Test
    void pagesAndListsUseIt() throws Exception {
        JobView job = randomJob(new SplittableRandom(1));
        JobPage page = new JobPage(List.of(job, job), new JobPage.Pagination("c", true, 2));
        assertEquals(REFLECTIVE.writeValueAsString(page), SERVICE.writeValueAsString(page));
    }

    private static JobView randomJob(SplittableRandom random) {
        JobStatus status = JobStatus.values()[random.nextInt(4)];
        return new JobView(random.nextLong(1, Long.MAX_VALUE), new UUID(random.nextLong(), random.nextLong()),
                random.nextBoolean() ? null : "text \"quoted\" \\ \u00e9\u4e2d\n" + random.nextInt(),
                status,
                random.nextBoolean() ? null : random.nextDouble() * Math.pow(10, random.nextInt(-8, 8)),
                random.nextBoolean() ? null : "label-" + random.nextInt(100),
                instant(random, false), instant(random, true), instant(random, true),
                random.nextBoolean() ? null : "worker-\u00fc" + random.nextInt(9),
                instant(random, true),
                random.nextBoolean() ? null : "error: </script> \t" + random.nextInt(),
                instant(random, true));
    }

    private static Instant instant(SplittableRandom random, boolean nullable) {
        if (nullable && random.nextBoolean()) {
            return null;
        }
        int nanos = switch (random.nextInt(3)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
        };
        return Instant.ofEpochSecond(random.nextLong(-2_000_000_000L, 4_000_000_000L), nanos);
    }
}
