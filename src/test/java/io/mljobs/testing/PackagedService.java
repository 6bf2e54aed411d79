package io.mljobs.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged service (target/quarkus-app) in a process of its own, with the JVM flags of the image, on a free
 * port, against the database a {@link PostgresTestResource} made: for *IT tests that signal it or run two replicas.
 */
public final class PackagedService implements AutoCloseable {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:]+:(\\d+)");

    private final Process process;
    private final Path log;
    private final String base;

    private PackagedService(Process process, Path log, String base) {
        this.process = process;
        this.log = log;
        this.base = base;
    }

    /**
     * Starts it and waits until readiness is UP; {@code database} is what PostgresTestResource.start() answered,
     * {@code extraJvmFlags} come after the image's.
     */
    public static PackagedService start(Map<String, String> database, String... extraJvmFlags) throws Exception {
        assertTrue(Files.exists(JAR), "package the service first (./mvnw package)");
        Path log = Files.createTempFile("mljobs-service-", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(List.of(jvmFlags().split(" ")));
        command.addAll(List.of(extraJvmFlags));
        command.addAll(List.of("-jar", JAR.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of("MLJOBS_HTTP_PORT", "0", "MLJOBS_ARCHIVE_CRON", "off",
                "MLJOBS_ADMIN_PASSWORD", "a-long-admin-password-1", "MLJOBS_DB_URL", database.get("mljobs.db.url"),
                "MLJOBS_DB_USER", database.get("mljobs.db.user"), "MLJOBS_DB_PASSWORD",
                database.get("mljobs.db.password")));
        PackagedService service = null;
        Process process = builder.start();
        try {
            String base = "http://localhost:" + Waits.until("the service listens", () -> {
                Matcher port = LISTENING.matcher(Files.readString(log));
                return port.find() ? port.group(1) : null;
            });
            PackagedService started = new PackagedService(process, log, base);
            Waits.until("readiness UP", () -> started.status("/q/health/ready") == 200 ? true : null);
            service = started;
            return started;
        } finally {
            if (service == null) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                Files.deleteIfExists(log);
            }
        }
    }

    /** E.g. {@code http://localhost:41234}. */
    public String base() {
        return base;
    }

    /** The status of a GET, or -1 when no answer came within 5 s. */
    public int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** GETs a path and asserts a 200 within 10 s; answers the body. */
    public String get(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() == 200, path + ": " + response.statusCode() + " " + response.body());
        return response.body();
    }

    /** POSTs JSON, answered within {@code timeout}. */
    public CompletableFuture<HttpResponse<String>> post(String path, String json, Duration timeout) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs JSON and asserts a 2xx answer within 10 s; answers the body. */
    public String post(String path, String json) throws Exception {
        HttpResponse<String> response = post(path, json, Duration.ofSeconds(10)).get(Waits.BOUND.toSeconds(),
                TimeUnit.SECONDS);
        assertTrue(response.statusCode() / 100 == 2, path + ": " + response.statusCode() + " " + response.body());
        return response.body();
    }

    public Process process() {
        return process;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(log);
    }

    /** The flags the *IT tests (and the JVM image) run the service with. */
    private static String jvmFlags() throws IOException {
        Properties properties = new Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        return properties.getProperty("quarkus.test.arg-line");
    }
}
