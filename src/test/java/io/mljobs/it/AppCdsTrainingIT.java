package io.mljobs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.mljobs.testing.PackagedService;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;

/**
 * The JVM image's class-data archive, made the way Dockerfile.jvm makes it (src/main/docker/train-cds.sh, the
 * image's JAVA_OPTS, no database), is one the JVM accepts: the service starts with it under {@code -Xshare:on},
 * which refuses to start rather than run without it, and serves a page.
 */
class AppCdsTrainingIT {

    private static final Pattern JAVA_OPTS = Pattern.compile("(?m)^ENV JAVA_OPTS=\"([^\"]*)\"$");

    @Test
    void theImagesTrainingRunMakesAnArchiveTheServiceStartsWith() throws Exception {
        Path dir = Files.createTempDirectory("mljobs-cds-");
        Path archive = dir.resolve("app-cds.jsa");
        Path log = dir.resolve("training.log");
        Matcher opts = JAVA_OPTS.matcher(Files.readString(Path.of("src/main/docker/Dockerfile.jvm")));
        assertTrue(opts.find(), "Dockerfile.jvm sets JAVA_OPTS");
        ProcessBuilder training = new ProcessBuilder("bash", "src/main/docker/train-cds.sh",
                PackagedService.JAR.toString(), archive.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        training.environment().put("JAVA_OPTS", opts.group(1));
        training.environment().put("CDS_TRAINING_PORT", Integer.toString(freePort()));
        Process run = training.start();
        assertTrue(run.waitFor(Waits.BOUND.toSeconds(), TimeUnit.SECONDS), "the training run did not end");
        assertEquals(0, run.exitValue(), Files.readString(log));
        assertTrue(Files.size(archive) > 1_000_000, "archive of " + Files.size(archive) + " bytes");

        PostgresTestResource database = new PostgresTestResource();
        database.init(Map.of("label", "cds"));
        Map<String, String> config = database.start();
        try (PackagedService service = PackagedService.start(config, "-XX:SharedArchiveFile=" + archive,
                "-Xshare:on")) {
            assertEquals(200, service.status("/jobs?limit=5"), service.log());
        } finally {
            database.stop();
            Files.deleteIfExists(archive);
            Files.deleteIfExists(log);
            Files.deleteIfExists(dir);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
