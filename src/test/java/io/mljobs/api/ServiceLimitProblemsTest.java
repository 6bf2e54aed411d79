package io.mljobs.api;

import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/** The problem types of the service's own limits that no other test meets: body budget and media type. */
@QuarkusTest
@TestProfile(ServiceLimitProblemsTest.SmallBodyBudget.class)
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "limits"))
class ServiceLimitProblemsTest {

    public static class SmallBodyBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mljobs.http.body-budget", "20M");
        }
    }

    @Test
    void bodyPastTheBudgetWhileAnotherIsReadGets503ServerBusy() throws Exception {
        // A chunked body that is never finished holds the largest allowed size (16M) of the 20M budget.
        try (Socket held = new Socket("localhost", RestAssured.port)) {
            OutputStream out = held.getOutputStream();
            out.write(("POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"inp\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(300);
            try (Socket second = new Socket("localhost", RestAssured.port)) {
                second.setSoTimeout(10_000);
                second.getOutputStream().write(("POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                        + "application/json\r\nContent-Length: 10000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                BufferedReader in = new BufferedReader(new InputStreamReader(second.getInputStream(),
                        StandardCharsets.UTF_8));
                String status = in.readLine();
                StringBuilder headers = new StringBuilder();
                int length = 0;
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    headers.append(line).append('\n');
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                char[] body = new char[length];
                int read = 0;
                while (read < length) {
                    read += in.read(body, read, length - read);
                }
                assertEquals("HTTP/1.1 503 Service Unavailable", status, headers.toString());
                assertTrue(headers.toString().toLowerCase().contains("retry-after: 1"), headers.toString());
                assertTrue(new String(body).contains("\"type\":\"/problems/server-busy\""), new String(body));
            }
        }
        // Once the held request is gone its reservation comes back: the same 10 MB body is read (and
        // refused as too long) instead of being turned away unread.
        String tenMegabytes = "{\"input_text\": \"" + "x".repeat(10_000_000) + "\"}";
        long deadline = System.nanoTime() + 5_000_000_000L;
        int answered;
        while ((answered = given().contentType("application/json").body(tenMegabytes).post("/jobs").statusCode()) == 503
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(400, answered);
    }

    @Test
    void unacceptableMediaTypeIs406Problem() {
        expectProblem(given().accept("application/xml").get("/jobs/stats").then(), 406, "not-acceptable");
    }
}
