package io.mljobs.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.mljobs.testing.JsonHttp;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Made-up methods and paths cannot blow up the http_server_requests labels or crowd out real endpoints. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class HttpMetricLabelsTest {

    private static final Pattern COUNT = Pattern.compile("^http_server_requests_seconds_count\\{(.*)} .*$");

    @TestHTTPResource("/")
    URI base;

    @Test
    void randomMethodsAndPathsStayInAFewLabelValues() {
        Random random = new Random(42);
        RawHttp raw = new RawHttp(base);
        for (int i = 0; i < 1_000; i++) {
            String method = i % 3 == 0 ? "PUT" : "M" + Integer.toString(random.nextInt(1 << 30), 36).toUpperCase();
            String path = switch (i % 4) {
                case 0 -> "/jobs/" + Integer.toString(random.nextInt(1 << 30), 36);
                case 1 -> "/" + Integer.toString(random.nextInt(1 << 30), 36);
                case 2 -> "/jobs";
                default -> "/admin/" + Integer.toString(random.nextInt(1 << 30), 36) + "/x";
            };
            raw.send(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close");
        }
        JsonHttp http = new JsonHttp(base);
        http.get("/jobs");
        http.get("/jobs/stats");
        http.post("/jobs", "{\"input_text\": \"metrics\"}");

        String metrics = http.raw("GET", "/q/metrics", null, null).body().asText();
        Set<String> uris = new TreeSet<>();
        Set<String> methods = new TreeSet<>();
        Set<String> series = new TreeSet<>();
        for (String line : metrics.split("\n")) {
            Matcher m = COUNT.matcher(line);
            if (m.matches()) {
                String uri = label(m.group(1), "uri");
                String method = label(m.group(1), "method");
                uris.add(uri);
                methods.add(method);
                series.add(method + " " + uri);
            }
        }
        assertTrue(series.contains("GET /jobs"), series::toString);
        assertTrue(series.contains("GET /jobs/stats"), series::toString);
        assertTrue(series.contains("POST /jobs"), series::toString);
        assertTrue(methods.contains("OTHER"), methods::toString);
        assertTrue(methods.size() <= 10, "method values: " + methods);
        assertTrue(uris.size() <= 20, "uri values: " + uris);
    }

    private static String label(String labels, String name) {
        Matcher m = Pattern.compile("(?:^|,)" + name + "=\"([^\"]*)\"").matcher(labels);
        return m.find() ? m.group(1) : "";
    }
}
