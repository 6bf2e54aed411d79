package io.mljobs.testing;

import java.time.Duration;

/** Every wait in a test is bounded: a regression that blocks fails the test instead of hanging the build. */
public final class Waits {

    /** Longest a test waits for one database or HTTP result. */
    public static final Duration BOUND = Duration.ofSeconds(60);

    /** Longest a benchmark waits for one step (loading ten million rows takes minutes). */
    public static final Duration BENCHMARK_BOUND = Duration.ofMinutes(30);

    private Waits() {
    }
}
