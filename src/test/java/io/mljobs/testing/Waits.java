package io.mljobs.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Every wait in a test is bounded: a regression that blocks fails the test instead of hanging the build. */
public final class Waits {

    /** Longest a test waits for one database or HTTP result. */
    public static final Duration BOUND = Duration.ofSeconds(60);

    /** Longest a benchmark waits for one step (loading ten million rows takes minutes). */
    public static final Duration BENCHMARK_BOUND = Duration.ofMinutes(30);

    private Waits() {
    }

    /**
     * Polls {@code probe} every 50 ms until it returns a value (null or an exception: not yet), for at most
     * {@link #BOUND}; then fails naming what was awaited.
     */
    public static <T> T until(String what, Callable<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                T value = probe.call();
                if (value != null) {
                    return value;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("waited " + BOUND.toSeconds() + " s for " + what, last);
    }
}
