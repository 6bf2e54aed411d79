package io.mljobs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The packaged jar (prod profile) exits at startup with a placeholder or short admin password, and
 * starts with a good one under otherwise the same settings. No database is needed: migrations at
 * start are off, and the pool connects only when a query runs.
 */
class WeakPasswordRefusedIT {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    @Test
    void placeholderAdminPasswordStopsTheService() throws Exception {
        Run run = launch(Map.of("MLJOBS_ADMIN_PASSWORD", "change-me"), 30);
        assertTrue(run.exited(), "the service should have exited within 30 s:\n" + run.output());
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("the password of user admin is a placeholder"), run.output());
        assertFalse(run.output().contains("change-me"), "the password itself is never logged");
    }

    @Test
    void shortWorkerPasswordStopsTheServiceWhenTheJobApiIsProtected() throws Exception {
        Run run = launch(Map.of("MLJOBS_ADMIN_PASSWORD", "a-long-admin-password-1", "MLJOBS_SECURITY_JOBS_API", "true",
                "MLJOBS_READER_PASSWORD", "a-long-reader-password-1", "MLJOBS_SUBMITTER_PASSWORD",
                "a-long-submitter-password-1", "MLJOBS_WORKER_PASSWORD", "short"), 30);
        assertTrue(run.exited(), run.output());
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("the password of user worker is shorter than 12 characters"), run.output());
    }

    @Test
    void goodPasswordStarts() throws Exception {
        Run run = launch(Map.of("MLJOBS_ADMIN_PASSWORD", "a-long-admin-password-1"), 20);
        assertFalse(run.exited(), "the service should still be running:\n" + run.output());
        assertTrue(run.output().contains("started in"), run.output());
    }

    private record Run(boolean exited, int exitCode, String output) {
    }

    /** Runs the jar until it exits or {@code seconds} pass (then stops it). */
    private static Run launch(Map<String, String> env, int seconds) throws IOException, InterruptedException {
        assertTrue(Files.exists(JAR), "package the service first (./mvnw package)");
        Path log = Files.createTempFile("mljobs-weak-password-", ".log");
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", JAR.toString())).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of("MLJOBS_HTTP_PORT", "0", "MLJOBS_MIGRATE_AT_START", "false",
                "MLJOBS_DB_URL", "postgresql://127.0.0.1:1/none", "MLJOBS_ARCHIVE_CRON", "off"));
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            boolean exited = waitForExitOrStart(process, log, seconds);
            return new Run(exited, exited ? process.exitValue() : -1, Files.readString(log));
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        }
    }

    private static boolean waitForExitOrStart(Process process, Path log, int seconds)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
                return true;
            }
            if (Files.readString(log).contains("started in")) {
                return false;
            }
        }
        assertEquals(true, process.isAlive());
        return false;
    }
}
