package io.mljobs.testing;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * A closed-loop load generator like wrk: {@code connections} requests in flight, each answered one
 * followed at once by the next, for a fixed time. Non-blocking (Vert.x), so a test can hold a
 * thousand connections open with a few threads; every request has a timeout, so it always ends.
 */
public final class Flood {

    /** What came back: answers by status, plus requests that failed without one (reset, timeout). */
    public record Result(Map<Integer, Long> statuses, long failed, Map<String, Long> failures) {

        public long count(int status) {
            return statuses.getOrDefault(status, 0L);
        }

        public long serverErrorsOtherThan503() {
            return statuses.entrySet().stream().filter(e -> e.getKey() >= 500 && e.getKey() != 503)
                    .mapToLong(Map.Entry::getValue).sum();
        }

        @Override
        public String toString() {
            return "statuses " + statuses + ", failed without an answer " + failed + " " + failures;
        }
    }

    private Flood() {
    }

    public static Result run(URI base, HttpMethod method, String path, Buffer body, int connections,
            Duration duration) throws InterruptedException {
        Vertx vertx = Vertx.vertx();
        try {
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(base.getHost())
                    .setDefaultPort(base.getPort()).setKeepAlive(true).setConnectTimeout(5_000),
                    new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
            Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
            Map<String, LongAdder> failures = new ConcurrentHashMap<>();
            LongAdder failed = new LongAdder();
            long end = System.nanoTime() + duration.toNanos();
            CountDownLatch done = new CountDownLatch(connections);
            RequestOptions options = new RequestOptions().setMethod(method).setURI(path).setIdleTimeout(15_000)
                    .putHeader("Content-Type", "application/json");
            for (int i = 0; i < connections; i++) {
                loop(client, options, body, end, statuses, failures, failed, done);
            }
            if (!done.await(duration.toSeconds() + 30, TimeUnit.SECONDS)) {
                throw new AssertionError("the flood's requests did not end within 30 s of its end");
            }
            Map<Integer, Long> counted = new TreeMap<>();
            statuses.forEach((status, n) -> counted.put(status, n.sum()));
            Map<String, Long> reasons = new TreeMap<>();
            failures.forEach((reason, n) -> reasons.put(reason, n.sum()));
            return new Result(counted, failed.sum(), reasons);
        } finally {
            CountDownLatch closed = new CountDownLatch(1);
            vertx.close().onComplete(ignored -> closed.countDown());
            closed.await(10, TimeUnit.SECONDS);
        }
    }

    private static void loop(HttpClient client, RequestOptions options, Buffer body, long end,
            Map<Integer, LongAdder> statuses, Map<String, LongAdder> failures, LongAdder failed, CountDownLatch done) {
        if (System.nanoTime() - end >= 0) {
            done.countDown();
            return;
        }
        client.request(options)
                .compose(request -> body == null ? request.send() : request.send(body))
                .compose(response -> response.body().map(ignored -> response.statusCode()))
                .onComplete(answer -> {
                    if (answer.succeeded()) {
                        statuses.computeIfAbsent(answer.result(), s -> new LongAdder()).increment();
                    } else {
                        failed.increment();
                        failures.computeIfAbsent(answer.cause().getClass().getSimpleName(), s -> new LongAdder())
                                .increment();
                    }
                    loop(client, options, body, end, statuses, failures, failed, done);
                });
    }
}
