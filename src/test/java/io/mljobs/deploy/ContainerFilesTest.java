package io.mljobs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * What the Dockerfiles promise and no container runtime here can check by building them: pinned
 * bases, application files the runtime user cannot rewrite, and the JVM flags the *IT tests run with.
 */
class ContainerFilesTest {

    private static final List<Path> DOCKERFILES = List.of(Path.of("src/main/docker/Dockerfile.jvm"),
            Path.of("src/main/docker/Dockerfile.native"), Path.of("src/main/docker/Dockerfile.native-micro"));
    private static final Pattern BASE = Pattern.compile("(?m)^ARG (?:JAVA|RUNTIME)_IMAGE=(\\S+)$");
    private static final Pattern JAVA_OPTS = Pattern.compile("(?m)^ENV JAVA_OPTS=\"([^\"]*)\"$");

    @Test
    void everyBaseImageIsPinnedToATag() throws IOException {
        for (Path file : DOCKERFILES) {
            Matcher base = BASE.matcher(Files.readString(file));
            assertTrue(base.find(), file + " names its base in a build ARG");
            String image = base.group(1);
            String tag = image.substring(image.lastIndexOf('/') + 1);
            assertTrue(tag.contains(":") && !tag.endsWith(":latest"), file + ": " + image + " is not pinned");
        }
    }

    @Test
    void applicationFilesBelongToRootNotTheRuntimeUser() throws IOException {
        for (Path file : DOCKERFILES) {
            String text = Files.readString(file);
            assertFalse(text.contains("--chown"), file + " gives the runtime user its own code");
            assertTrue(text.contains("\nUSER "), file + " runs as a non-root user");
        }
    }

    @Test
    void integrationTestsRunWithTheJvmImageMemoryFlags() throws IOException {
        Matcher opts = JAVA_OPTS.matcher(Files.readString(DOCKERFILES.get(0)));
        assertTrue(opts.find());
        // Less the archive only the image has (AppCdsTrainingIT makes and checks one from the same script).
        String imageFlags = opts.group(1).replace(" -Djava.util.logging.manager=org.jboss.logmanager.LogManager", "")
                .replace(" -XX:SharedArchiveFile=/deployments/app-cds.jsa", "");
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        assertEquals(imageFlags, properties.getProperty("quarkus.test.arg-line"));
    }

    @Test
    void buildContextHoldsOnlyBuildOutput() throws IOException {
        List<String> rules = Files.readAllLines(Path.of(".dockerignore")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
        assertEquals(List.of("*", "!target/*-runner", "!target/quarkus-app/", "!src/main/docker/train-cds.sh"), rules);
    }
}
