package io.mljobs.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written format agrees with Instant.toString, the format clients already parse. */
class InstantSerializerTest {

    @ParameterizedTest
    @ValueSource(strings = { "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z", "2000-02-29T12:00:00.5Z",
            "2024-12-31T23:59:59.123456Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "1900-03-01T00:00:00.000001Z",
            "2100-02-28T01:02:03.000000007Z", "+10000-01-01T00:00:00Z", "-0001-12-31T23:59:59Z" })
    void edgesMatchTheJdk(String text) {
        Instant instant = Instant.parse(text);
        assertEquals(instant.toString(), InstantSerializer.format(instant));
    }

    @Test
    void randomInstantsMatchTheJdk() {
        SplittableRandom random = new SplittableRandom(42);
        long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(random.nextLong(min, max + 1), nanos);
            assertEquals(instant.toString(), InstantSerializer.format(instant));
        }
    }
}
