package io.mljobs.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The soak load generator that {@code bench/soak} runs against a packaged service: an open-loop mix of submissions,
 * workers, dashboard readers and one archival run for a set duration, a per-minute table of latencies, throughput,
 * errors and database/JVM figures, and an exact accounting of every job at the end. Not a test (its name matches no
 * surefire or failsafe pattern); plain Java 17 with the JDK HTTP client, Jackson and {@code psql} (PG* environment).
 *
 * <p>
 * Open loop: every submission and reader stream has a scheduler thread that issues request i at {@code start + i /
 * rate} whatever earlier requests are doing, and a request's latency runs from that intended time, not from when it
 * was actually sent (coordinated omission safe). A send more than 10 ms behind schedule is counted as late; one that
 * would exceed the stream's in-flight bound is not sent and counted as dropped. Workers are closed loops by nature
 * (claim, work, report), their calls timed from the moment they are made.
 */
public final class Soak {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MS = 1_000_000L;
    private static final long LATE_NS = 10 * MS;
    /** claim: a claim that answers at once; claim_wait: an idle worker's claim with wait_seconds, timed with its wait. */
    private static final String[] OPS = { "submit", "submit_batch", "claim", "claim_wait", "heartbeat", "complete",
            "fail", "report_batch", "list_first", "list_cursor", "list_status", "list_date", "stats" };
    private static final String[] READS = { "list_first", "list_cursor", "list_status", "list_date", "stats" };
    private static final double CLAIM_P99_MS = 20;
    private static final double READ_P99_MS = 25;
    private static final double MAX_DRIFT = 1.5;
    private static final double MAX_RSS_GROWTH = 0.10;

    // Configuration (bench/soak passes these; see its header).
    private final Map<String, String> args;
    private final URI base;
    private final long durationNs;
    private final double rate;
    private final double singleShare;
    private final int batchSize;
    private final int workers;
    private final int slots;
    private final int claimLimit;
    private final int claimWaitSeconds;
    private final long pollNs;
    private final long workMinNs;
    private final long workMaxNs;
    private final double longShare;
    private final long longWorkNs;
    private final long heartbeatNs;
    private final double failShare;
    private final double readRate;
    private final int walkDepth;
    private final int archiveDaysOld;
    private final long longTxNs;
    private final long longTxAtNs;
    private final int inFlightMax;
    private final String adminAuth;
    private final String servicePid;
    private final Path gcLog;
    private final Path out;
    // Unique per run, so that the accounting tells this run's reports from a warm-up's.
    private final String workerPrefix;

    private final HttpClient http;
    private long start;
    private long end;
    private final int minutes;
    private final Minute[] windows;

    // What the client knows of each job it submitted or claimed, for the accounting: one entry of about 100 bytes a
    // job, so that an hour at 1,000 jobs/s (3.6M jobs) fits the generator's heap.
    private final Map<UUID, Tracked> jobs = new ConcurrentHashMap<>(1 << 22);
    private final List<String> doubleClaims = new ArrayList<>();
    private final AtomicLong unackedSubmits = new AtomicLong();
    private final AtomicLong unackedReports = new AtomicLong();
    private volatile boolean claimWaitAccepted;
    private final List<String> events = new ArrayList<>();

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + argv[i]);
            }
            String key = argv[i].substring(2);
            boolean flag = i + 1 >= argv.length || argv[i + 1].startsWith("--");
            a.put(key, flag ? "true" : argv[++i]);
        }
        System.exit(new Soak(a).run());
    }

    private Soak(Map<String, String> a) {
        args = a;
        base = URI.create(get("base", "http://localhost:18080/"));
        durationNs = duration(get("duration", "10m"));
        rate = Double.parseDouble(get("rate", "1000"));
        singleShare = Double.parseDouble(get("single-share", "0.2"));
        batchSize = Integer.parseInt(get("batch-size", "100"));
        workers = Integer.parseInt(get("workers", "16"));
        slots = Integer.parseInt(get("slots", "20"));
        claimLimit = Integer.parseInt(get("claim-limit", "10"));
        claimWaitSeconds = Integer.parseInt(get("claim-wait", "5"));
        claimWaitAccepted = claimWaitSeconds > 0;
        pollNs = duration(get("poll", "100ms"));
        workMinNs = duration(get("work-min", "20ms"));
        workMaxNs = duration(get("work-max", "200ms"));
        longShare = Double.parseDouble(get("long-share", "0.01"));
        longWorkNs = duration(get("long-work", "7s"));
        heartbeatNs = duration(get("heartbeat", "3s"));
        failShare = Double.parseDouble(get("fail-share", "0.05"));
        readRate = Double.parseDouble(get("read-rate", "50"));
        walkDepth = Integer.parseInt(get("walk-depth", "20"));
        // Generated jobs span 400 days: 387 moves the oldest 1/30 of them, what a nightly run moves from a table in
        // steady state at 30 days' retention. 30 would move 92% of the table, a first archival of a backlog.
        archiveDaysOld = Integer.parseInt(get("archive-days-old", "387"));
        longTxNs = a.containsKey("long-tx") ? duration(a.get("long-tx").equals("true") ? "5m" : a.get("long-tx")) : 0;
        // By default early (a short run sees the whole effect); a long run puts it in its middle third, so the first
        // and last thirds that the drift check compares stay clean.
        longTxAtNs = a.containsKey("long-tx-at") ? duration(a.get("long-tx-at")) : -1;
        inFlightMax = Integer.parseInt(get("in-flight", "256"));
        adminAuth = "Basic " + Base64.getEncoder()
                .encodeToString(("admin:" + System.getenv("MLJOBS_ADMIN_PASSWORD")).getBytes(StandardCharsets.UTF_8));
        servicePid = get("service-pid", "");
        gcLog = a.containsKey("gc-log") ? Path.of(a.get("gc-log")) : null;
        out = Path.of(get("out", "target/soak"));
        workerPrefix = "soak-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36) + "-w";
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newFixedThreadPool(4))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        minutes = (int) ((durationNs + 60_000 * MS - 1) / (60_000 * MS));
        // One more window for the drain after the last minute.
        windows = new Minute[minutes + 1];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = new Minute();
        }
    }

    private String get(String key, String fallback) {
        return args.getOrDefault(key, fallback);
    }

    static long duration(String s) {
        Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)").matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: " + s);
        }
        double v = Double.parseDouble(m.group(1));
        return (long) (v * switch (m.group(2)) {
            case "ms" -> MS;
            case "s" -> 1000 * MS;
            case "m" -> 60_000 * MS;
            default -> 3_600_000 * MS;
        });
    }

    /** One minute's measurements. */
    static final class Minute {
        final Map<String, LongList> latency = new ConcurrentHashMap<>();
        final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        final LongList queueWait = new LongList();
        final AtomicLong submitted = new AtomicLong();
        final AtomicLong claimed = new AtomicLong();
        final AtomicLong completed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong late = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        String sample = "";
        String[] system = new String[0];

        LongList of(String op) {
            return latency.computeIfAbsent(op, k -> new LongList());
        }
    }

    /** A growable list of longs (microseconds), synchronized: several threads record into it. */
    static final class LongList {
        private long[] values = new long[1024];
        private int size;

        synchronized void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        synchronized long[] sorted() {
            long[] copy = Arrays.copyOf(values, size);
            Arrays.sort(copy);
            return copy;
        }
    }

    private Minute now() {
        int i = (int) ((System.nanoTime() - start) / (60_000 * MS));
        return windows[Math.max(0, Math.min(i, windows.length - 1))];
    }

    private void error(String op, String what) {
        now().errors.computeIfAbsent(op + " " + what, k -> new AtomicLong()).incrementAndGet();
    }

    // HTTP -------------------------------------------------------------------------------------------------

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    }

    private static HttpRequest.BodyPublisher json(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest post(String path, Object body) {
        return request(path).header("Content-Type", "application/json").POST(json(body)).build();
    }

    /**
     * Sends, and records the latency from {@code intended} (nanoTime) to the answer, and non-2xx statuses and
     * timeouts as errors. Completes with null when there was no answer.
     */
    private CompletableFuture<HttpResponse<String>> call(String op, long intended, HttpRequest req) {
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
            Minute m = now();
            if (e != null) {
                Throwable c = e.getCause() != null ? e.getCause() : e;
                error(op, c instanceof HttpTimeoutException ? "timeout" : "io");
                return null;
            }
            m.of(op).add((System.nanoTime() - intended) / 1000);
            if (r.statusCode() >= 300) {
                error(op, Integer.toString(r.statusCode()));
            }
            return r;
        });
    }

    private static JsonNode parse(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + r.body(), e);
        }
    }

    // Open-loop streams ------------------------------------------------------------------------------------

    /** A thread that issues {@code send(intendedNanos)} at a fixed rate until the end, with bounded in-flight. */
    private Thread openLoop(String name, double perSecond, LongFunction<CompletableFuture<?>> send) {
        Thread t = new Thread(() -> {
            if (perSecond <= 0) {
                return;
            }
            AtomicInteger inFlight = new AtomicInteger();
            double interval = 1e9 / perSecond;
            for (long i = 0;; i++) {
                long intended = start + (long) (i * interval);
                if (intended >= end) {
                    break;
                }
                long wait;
                while ((wait = intended - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (System.nanoTime() - intended > LATE_NS) {
                    now().late.incrementAndGet();
                }
                if (inFlight.get() >= inFlightMax) {
                    now().dropped.incrementAndGet();
                    continue;
                }
                inFlight.incrementAndGet();
                send.apply(intended).whenComplete((r, e) -> inFlight.decrementAndGet());
            }
            while (inFlight.get() > 0) {
                LockSupport.parkNanos(10 * MS);
            }
        }, name);
        t.start();
        return t;
    }

    private CompletableFuture<?> submitSingle(long intended) {
        String text = "soak single " + intended;
        return call("submit", intended, post("jobs", Map.of("input_text", text))).thenAccept(r -> {
            if (r == null) {
                unackedSubmits.incrementAndGet();
            } else if (r.statusCode() == 201) {
                acknowledged(parse(r).get("job_uuid").asText(), intended);
                now().submitted.incrementAndGet();
            }
        });
    }

    private CompletableFuture<?> submitBatch(long intended) {
        List<Map<String, String>> batch = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            batch.add(Map.of("input_text", "soak batch " + intended + " " + i));
        }
        return call("submit_batch", intended, post("jobs/batch", Map.of("jobs", batch))).thenAccept(r -> {
            if (r == null) {
                unackedSubmits.addAndGet(batchSize);
            } else if (r.statusCode() == 201) {
                for (JsonNode u : parse(r).get("job_uuids")) {
                    acknowledged(u.asText(), intended);
                }
                now().submitted.addAndGet(batchSize);
            }
        });
    }

    /** Submission to claim runs from the submission's intended send time to the claim's answer. */
    private void acknowledged(String uuid, long intended) {
        Tracked t = track(uuid);
        long claimedAt;
        synchronized (t) {
            t.submittedAt = intended;
            claimedAt = t.claimedAt;
        }
        if (claimedAt != NOT_YET) {
            now().queueWait.add((claimedAt - intended) / 1000);
        }
    }

    // The dashboard: first pages, a cursor walk to walkDepth pages, status and date filters, stats.
    private final AtomicReference<String> walkCursor = new AtomicReference<>();
    private final AtomicInteger walkStep = new AtomicInteger();
    private final AtomicLong readerTurn = new AtomicLong();

    private CompletableFuture<?> read(long intended) {
        int turn = (int) (readerTurn.getAndIncrement() % 20);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (turn < 6) {
            return call("list_first", intended, request("jobs?limit=50").build());
        } else if (turn < 10) {
            String cursor = walkCursor.get();
            boolean restart = cursor == null || walkStep.incrementAndGet() >= walkDepth;
            String path = restart ? "jobs?limit=50" : "jobs?limit=50&cursor=" + cursor;
            return call("list_cursor", intended, request(path).build()).thenAccept(r -> {
                if (r != null && r.statusCode() == 200) {
                    JsonNode next = parse(r).path("pagination").path("next_cursor");
                    walkCursor.set(next.isTextual() ? next.asText() : null);
                    if (restart) {
                        walkStep.set(0);
                    }
                }
            });
        } else if (turn < 13) {
            String path = turn == 10 ? "jobs?limit=50&status=pending&order=asc"
                    : turn == 11 ? "jobs?limit=50&status=running" : "jobs?limit=50&status=failed";
            return call("list_status", intended, request(path).build());
        } else if (turn < 16) {
            LocalDate from = LocalDate.now().minusDays(rnd.nextInt(30, 400));
            String path = "jobs?limit=50&status=completed&created_after=" + from + "&created_before=" + from.plusDays(30);
            return call("list_date", intended, request(path).build());
        }
        return call("stats", intended, request("jobs/stats").build());
    }

    // Workers ------------------------------------------------------------------------------------------------

    private record Held(String uuid, long due, boolean fail) {
    }

    private static final long NOT_YET = Long.MIN_VALUE;
    private static final String COMPLETED = "completed";
    private static final String FAILED = "failed";

    /** One job as the client saw it; its fields change under its own lock (a submitter and a worker may race). */
    private static final class Tracked {
        long submittedAt = NOT_YET; // intended send time of the acknowledged submission
        long claimedAt = NOT_YET; // a claim answered before the submission was: waits here for it
        String claimedBy; // the worker's id (one shared string per worker)
        String reported; // COMPLETED or FAILED once a report was acknowledged
        int rows; // rows found in ml_jobs and the archive, at the accounting
    }

    private Tracked track(String uuid) {
        return jobs.computeIfAbsent(UUID.fromString(uuid), u -> new Tracked());
    }

    /** Records an acknowledged report; false when the job had been reported before. */
    private boolean reported(String uuid, String status) {
        Tracked t = track(uuid);
        synchronized (t) {
            String previous = t.reported;
            t.reported = status;
            return previous == null;
        }
    }

    /**
     * A worker with {@code slots} jobs in hand at most: claims up to {@code claimLimit} when it has room, works each
     * job for a random time (a few long ones that need heartbeats), then completes or fails it.
     */
    private void worker(String id) {
        PriorityQueue<Held> held = new PriorityQueue<>((x, y) -> Long.compare(x.due(), y.due()));
        Map<String, Long> nextBeat = new HashMap<>();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (true) {
            long t = System.nanoTime();
            boolean over = t >= end;
            if (over && held.isEmpty()) {
                return;
            }
            List<Held> due = new ArrayList<>();
            while (!held.isEmpty() && held.peek().due() <= t) {
                due.add(held.poll());
            }
            if (due.size() == 1) {
                report(id, due.get(0));
            } else if (!due.isEmpty()) {
                reportAll(id, due);
            }
            for (Map.Entry<String, Long> b : nextBeat.entrySet()) {
                if (b.getValue() <= t && held.stream().anyMatch(h -> h.uuid().equals(b.getKey()))) {
                    sync("heartbeat", post("jobs/" + b.getKey() + "/heartbeat", Map.of("worker_id", id)));
                    b.setValue(t + heartbeatNs);
                }
            }
            nextBeat.keySet().removeIf(u -> held.stream().noneMatch(h -> h.uuid().equals(u)));
            int room = slots - held.size();
            boolean gotNone = true;
            if (!over && room > 0) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("worker_id", id);
                body.put("limit", Math.min(claimLimit, room));
                // Only an idle worker waits: one with jobs in hand must stay free to report them.
                boolean waiting = claimWaitAccepted && held.isEmpty();
                if (waiting) {
                    body.put("wait_seconds", claimWaitSeconds);
                }
                long sent = System.nanoTime();
                HttpResponse<String> r = sync(waiting ? "claim_wait" : "claim", post("jobs/claim", body));
                if (r != null && r.statusCode() == 400 && waiting) {
                    // A service without wait_seconds: fall back to polling.
                    stopWaiting("the service refused wait_seconds (400)");
                } else if (r != null && r.statusCode() == 200) {
                    JsonNode claimedJobs = parse(r).get("jobs");
                    long at = System.nanoTime();
                    for (JsonNode j : claimedJobs) {
                        String uuid = j.get("job_uuid").asText();
                        gotNone = false;
                        Tracked job = track(uuid);
                        String previous;
                        long submittedAt;
                        synchronized (job) {
                            previous = job.claimedBy;
                            if (previous == null) {
                                job.claimedBy = id;
                            }
                            submittedAt = job.submittedAt;
                            if (submittedAt == NOT_YET) {
                                job.claimedAt = at; // the submission's answer has not come in yet
                            }
                        }
                        if (previous != null) {
                            synchronized (doubleClaims) {
                                doubleClaims.add(uuid + " by " + previous + " and " + id);
                            }
                        }
                        if (submittedAt != NOT_YET) {
                            now().queueWait.add((at - submittedAt) / 1000);
                        }
                        now().claimed.incrementAndGet();
                        boolean isLong = rnd.nextDouble() < longShare;
                        long work = isLong ? longWorkNs : rnd.nextLong(workMinNs, workMaxNs + 1);
                        held.add(new Held(uuid, at + work, rnd.nextDouble() < failShare));
                        if (isLong) {
                            nextBeat.put(uuid, at + heartbeatNs);
                        }
                    }
                    // A service that ignores wait_seconds answers an empty list at once: then poll.
                    if (waiting && gotNone && System.nanoTime() - sent < claimWaitSeconds * 500 * MS) {
                        stopWaiting("an empty claim with wait_seconds came back at once");
                    }
                }
            }
            if (gotNone || room <= 0) {
                long until = System.nanoTime() + pollNs;
                if (!held.isEmpty()) {
                    until = Math.min(until, held.peek().due());
                }
                for (long beat : nextBeat.values()) {
                    until = Math.min(until, beat);
                }
                long wait = until - System.nanoTime();
                if (wait > 0 && !(claimWaitAccepted && held.isEmpty() && gotNone && room > 0)) {
                    LockSupport.parkNanos(wait);
                }
            }
        }
    }

    private void report(String id, Held h) {
        HttpResponse<String> r = h.fail()
                ? sync("fail", post("jobs/" + h.uuid() + "/fail", Map.of("error", "soak failure " + id, "worker_id", id)))
                : sync("complete", post("jobs/" + h.uuid() + "/complete",
                        Map.of("result_score", 0.5, "result_label", "soak " + id, "worker_id", id)));
        if (r == null) {
            unackedReports.incrementAndGet();
        } else if (r.statusCode() == 200) {
            if (!reported(h.uuid(), h.fail() ? FAILED : COMPLETED)) {
                error(h.fail() ? "fail" : "complete", "reported twice");
            }
            (h.fail() ? now().failed : now().completed).incrementAndGet();
        }
    }

    /** Several results at once, as a busy worker sends them: one POST /jobs/results. */
    private void reportAll(String id, List<Held> due) {
        List<Map<String, Object>> results = new ArrayList<>();
        for (Held h : due) {
            results.add(h.fail() ? Map.of("job_uuid", h.uuid(), "status", "failed", "error", "soak failure " + id,
                    "worker_id", id)
                    : Map.of("job_uuid", h.uuid(), "status", "completed", "result_score", 0.5, "result_label",
                            "soak " + id, "worker_id", id));
        }
        HttpResponse<String> r = sync("report_batch", post("jobs/results", Map.of("results", results)));
        if (r == null) {
            unackedReports.addAndGet(due.size());
            return;
        }
        if (r.statusCode() != 200) {
            return;
        }
        for (JsonNode outcome : parse(r).get("results")) {
            String uuid = outcome.get("job_uuid").asText();
            String outcomeName = outcome.get("outcome").asText();
            String status = outcomeName.equals(COMPLETED) ? COMPLETED : outcomeName.equals(FAILED) ? FAILED : null;
            if (status == null) {
                error("report_batch", "outcome " + outcomeName);
                continue;
            }
            if (!reported(uuid, status)) {
                error("report_batch", "reported twice");
            }
            (status == FAILED ? now().failed : now().completed).incrementAndGet();
        }
    }

    private HttpResponse<String> sync(String op, HttpRequest req) {
        return call(op, System.nanoTime(), req).join();
    }

    /** Stops sending wait_seconds, and says why once. */
    private synchronized void stopWaiting(String why) {
        if (claimWaitAccepted) {
            claimWaitAccepted = false;
            event(why + ": workers poll every " + pollNs / MS + " ms");
        }
    }

    private void event(String what) {
        String line = String.format(Locale.ROOT, "%.1f min: %s", (System.nanoTime() - start) / 60e9, what);
        synchronized (events) {
            events.add(line);
        }
        System.err.println("soak: " + line);
    }

    // Archival, the long transaction, samples ----------------------------------------------------------------

    private void archiveRun() {
        try {
            event("archival run starts (days_old=" + archiveDaysOld + ")");
            long t0 = System.nanoTime();
            HttpRequest req = request("admin/archive-jobs?days_old=" + archiveDaysOld).header("Authorization", adminAuth)
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            JsonNode run = parse(r);
            run = run.has("run") ? run.get("run") : run;
            // 202: the run goes on in the background; follow it (200 answers each poll) until it ends.
            while ("running".equals(run.path("state").asText())) {
                Thread.sleep(1000);
                r = http.send(request("admin/archive-runs/" + run.get("id").asText()).header("Authorization", adminAuth)
                        .build(), HttpResponse.BodyHandlers.ofString());
                run = parse(r);
            }
            event(String.format(Locale.ROOT, "archival run %s: %s, %d rows in %.1f s (%s rows/s)", run.path("id").asText(),
                    run.path("state").asText(), run.path("archived").asLong(), (System.nanoTime() - t0) / 1e9,
                    run.path("rows_per_second").asText()));
        } catch (Exception e) {
            event("archival run failed: " + e);
        }
    }

    private void longTransaction() {
        long seconds = longTxNs / (1000 * MS);
        event("a REPEATABLE READ transaction that read ml_jobs stays open for " + seconds + " s");
        String sql = "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM ml_jobs; SELECT pg_sleep(" + seconds
                + "); COMMIT;";
        try {
            psql(sql);
            event("the long transaction ended");
        } catch (Exception e) {
            event("the long transaction failed: " + e);
        }
    }

    private static String psql(String sql) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("psql", "-X", "-qAt", "-F", "|", "-v", "ON_ERROR_STOP=1", "-c", sql)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("psql failed: " + sql);
        }
        return text.strip();
    }

    /** Runs a query with psql and hands each row's fields to the consumer as they arrive. */
    private static void psqlRows(String sql, Consumer<String[]> row) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("psql", "-X", "-qAt", "-F", "|", "-v", "ON_ERROR_STOP=1", "-c", sql)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isEmpty()) {
                    row.accept(line.split("\\|", -1));
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IOException("psql failed: " + sql);
        }
    }

    /** The row says what the acknowledged report said: status, worker, and result or error. */
    private static boolean rowAsReported(Tracked t, String[] f) {
        String worker = t.claimedBy;
        return f[1].equals(t.reported) && f[2].equals(worker) && (t.reported == COMPLETED
                ? f[3].equals("soak " + worker) && f[4].isEmpty()
                : f[4].equals("soak failure " + worker));
    }

    private static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return text.strip();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private static final String DB_SAMPLE = """
            SELECT n_live_tup, n_dead_tup, autovacuum_count, autoanalyze_count, pg_relation_size('ml_jobs'),
              (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()),
              (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'),
              (SELECT string_agg(indexname || '=' || pg_relation_size(format('%I', indexname)::regclass), ' '
                 ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'ml_jobs')
            FROM pg_stat_user_tables WHERE relname = 'ml_jobs'""";

    private long gcOffset;
    private long[] lastCpu;

    /**
     * The database, the service's process and the machine at this moment: dead tuples, sizes, autovacuum runs,
     * connections, resident memory, heap after the last GC of the minute (from the service's -Xlog:gc file), load.
     */
    private String[] sample() {
        String db;
        try {
            db = psql(DB_SAMPLE);
        } catch (Exception e) {
            db = "?|?|?|?|?|?|?|";
        }
        String rss = servicePid.isEmpty() ? "?" : command("ps", "-o", "rss=", "-p", servicePid);
        String heap = "?";
        if (gcLog != null) {
            try (RandomAccessFile f = new RandomAccessFile(gcLog.toFile(), "r")) {
                f.seek(gcOffset);
                byte[] b = new byte[(int) (f.length() - gcOffset)];
                f.readFully(b);
                gcOffset = f.length();
                Matcher m = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)").matcher(new String(b, StandardCharsets.UTF_8));
                while (m.find()) {
                    heap = m.group(2) + "/" + m.group(3);
                }
            } catch (IOException e) {
                heap = "?";
            }
        }
        String load = command("cut", "-d", " ", "-f", "1", "/proc/loadavg");
        String[] d = db.split("\\|", -1);
        return new String[] { d[0], d[1], d[2], d[3], d[4], d[5], d[6], d.length > 7 ? d[7] : "",
                rss.isEmpty() ? "?" : Long.toString(Long.parseLong(rss.strip()) / 1024), heap, load, stealPercent() };
    }

    /**
     * CPU time the hypervisor gave to other guests since the last sample, in % of all CPU time (/proc/stat): on a
     * shared host the machine can lose half its CPU for minutes, which shows in every latency, not in the load.
     */
    private String stealPercent() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long[] now = new long[8];
            for (int i = 0; i < 8; i++) {
                now[i] = Long.parseLong(f[i + 1]);
            }
            long[] last = lastCpu;
            lastCpu = now;
            if (last == null) {
                return "?";
            }
            long total = 0;
            for (int i = 0; i < 8; i++) {
                total += now[i] - last[i];
            }
            return total == 0 ? "?" : String.format(Locale.ROOT, "%.0f", 100.0 * (now[7] - last[7]) / total);
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    // The run ------------------------------------------------------------------------------------------------

    private int run() throws Exception {
        Files.createDirectories(out);
        String maxId = psql("SELECT greatest((SELECT coalesce(max(id), 0) FROM ml_jobs),"
                + " (SELECT coalesce(max(id), 0) FROM ml_jobs_archive))");
        String[] first = sample();
        start = System.nanoTime() + 200 * MS;
        end = start + durationNs;
        double singles = rate * singleShare;
        double batches = rate * (1 - singleShare) / batchSize;
        System.err.printf(Locale.ROOT, "soak: %s; %.0f singles/s, %.2f batches/s of %d; %d workers; %.0f reads/s%n",
                fmtDuration(durationNs), singles, batches, batchSize, workers, readRate);
        List<Thread> threads = new ArrayList<>();
        threads.add(openLoop("submit", singles, this::submitSingle));
        threads.add(openLoop("submit-batch", batches, this::submitBatch));
        threads.add(openLoop("reader", readRate, this::read));
        for (int w = 0; w < workers; w++) {
            String id = workerPrefix + w;
            Thread t = new Thread(() -> worker(id), id);
            t.start();
            threads.add(t);
        }
        Thread archival = at(start + durationNs / 2, args.containsKey("warmup") ? () -> {
        } : this::archiveRun);
        // A warm-up (bench/soak runs one first) has neither the archival nor the long transaction.
        Thread longTx = longTxNs > 0 && !args.containsKey("warmup")
                ? at(start + (longTxAtNs >= 0 ? longTxAtNs : Math.min(durationNs / 4, 60_000 * MS)), this::longTransaction)
                : null;
        // One sample at the end of every minute; the first minute's row uses the sample before the start.
        String[][] samples = new String[minutes + 1][];
        samples[0] = first;
        for (int i = 1; i <= minutes; i++) {
            long at = Math.min(start + i * 60_000 * MS, end);
            long wait;
            while ((wait = at - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            samples[i] = sample();
            System.err.println("soak: " + row(i - 1, samples[i]));
        }
        for (Thread t : threads) {
            t.join();
        }
        archival.join();
        if (longTx != null) {
            longTx.join();
        }
        accountingExact = account(maxId);
        write(samples);
        // Exit status: 1 when the accounting is not exact, 3 when a target is missed (not for a warm-up).
        return !accountingExact ? 1 : targetsMet || args.containsKey("warmup") ? 0 : 3;
    }

    private static Thread at(long when, Runnable what) {
        Thread t = new Thread(() -> {
            long wait;
            while ((wait = when - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            what.run();
        });
        t.start();
        return t;
    }

    private static String fmtDuration(long ns) {
        return ns % (60_000 * MS) == 0 ? ns / (60_000 * MS) + " min" : ns / (1000 * MS) + " s";
    }

    // Reporting ------------------------------------------------------------------------------------------------

    private static String pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return "-";
        }
        long v = sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
        return String.format(Locale.ROOT, v >= 100_000 ? "%.0f" : "%.1f", v / 1000.0);
    }

    private double seconds(int i) {
        long len = Math.min(60_000 * MS, durationNs - i * 60_000 * MS);
        return len / 1e9;
    }

    /** The system row of minute i (for the progress lines and the first table). */
    private String row(int i, String[] s) {
        Minute m = windows[i];
        double sec = seconds(i);
        long[] qw = m.queueWait.sorted();
        long errors = m.errors.values().stream().mapToLong(AtomicLong::get).sum();
        long requests = m.latency.values().stream().mapToLong(l -> l.sorted().length).sum();
        return String.format(Locale.ROOT,
                "| %d | %.0f | %.0f | %.0f | %.0f | %.0f | %s / %s | %d | %d / %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
                i + 1, requests / sec, m.submitted.get() / sec, m.claimed.get() / sec, m.completed.get() / sec,
                m.failed.get() / sec, pct(qw, 0.5), pct(qw, 0.99), errors, m.late.get(), m.dropped.get(), s[1], s[0],
                mb(s[4]), s[2], s[5], s[8], s[9], s[10], s[11]);
    }

    private static String mb(String bytes) {
        try {
            return String.format(Locale.ROOT, "%.1f", Long.parseLong(bytes) / 1048576.0);
        } catch (NumberFormatException e) {
            return bytes;
        }
    }

    private void write(String[][] samples) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("### Per minute: load, queue, database, JVM\n\n");
        md.append("req/s: every request the harness made; jobs/s submitted, claimed, completed, failed; submit→claim: ms from "
                + "the submission's intended send time to the claim's answer (p50 / p99); late / dropped: open-loop sends more than 10 ms behind "
                + "schedule / not sent because the stream had " + inFlightMax + " requests in flight; dead and live tuples, "
                + "heap size and autovacuum count of ml_jobs from pg_stat_user_tables; conns: backends in the database; RSS "
                + "and heap after the minute's last GC (used/committed MB) of the service; load: 1-minute load average; steal: % of CPU time the host gave to other guests.\n\n");
        md.append(
                "| min | req/s | submitted/s | claimed/s | completed/s | failed/s | submit→claim ms | errors | late / dropped "
                        + "| dead tuples | live tuples | ml_jobs MB | autovacuums | conns | RSS MB | heap after GC MB | load | steal % |\n");
        md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
                + "| ---: | ---: | ---: |\n");
        for (int i = 0; i < minutes; i++) {
            md.append(row(i, samples[i + 1])).append('\n');
        }
        md.append("\n### Per minute: latency by operation, ms, p50 / p99 / max (calls)\n\n");
        md.append("Open-loop streams (submit, submit_batch, list_*, stats) from the intended send time; worker calls (claim, "
                + "heartbeat, complete, fail) from the call.\n\n| min |");
        for (String op : OPS) {
            md.append(' ').append(op).append(" |");
        }
        md.append("\n| ---: |");
        md.append(" --- |".repeat(OPS.length)).append('\n');
        StringBuilder dat = new StringBuilder(
                "# min claim_p99 submit_p99 batch_p99 list_p99 stats_p99 complete_p99 dead_tuples "
                        + "rss_mb pending_idx_kb claimed_per_s\n");
        for (int i = 0; i < minutes; i++) {
            md.append("| ").append(i + 1).append(" |");
            for (String op : OPS) {
                long[] l = windows[i].of(op).sorted();
                md.append(l.length == 0 ? " - |"
                        : " " + pct(l, 0.5) + " / " + pct(l, 0.99) + " / " + pct(l, 1.0) + " (" + l.length + ") |");
            }
            md.append('\n');
            long[] lists = merge(windows[i], "list_first", "list_cursor", "list_status", "list_date");
            dat.append(i + 1).append(' ').append(num(windows[i].of("claim").sorted())).append(' ')
                    .append(num(windows[i].of("submit").sorted())).append(' ')
                    .append(num(windows[i].of("submit_batch").sorted())).append(' ').append(num(lists)).append(' ')
                    .append(num(windows[i].of("stats").sorted())).append(' ')
                    .append(num(windows[i].of("complete").sorted())).append(' ').append(samples[i + 1][1]).append(' ')
                    .append(samples[i + 1][8]).append(' ').append(indexKb(samples[i + 1][7], "pending")).append(' ')
                    .append(String.format(Locale.ROOT, "%.0f", windows[i].claimed.get() / seconds(i))).append('\n');
        }
        md.append("\n### Indexes of ml_jobs, MB, at the start and after each minute\n\n");
        md.append("| index | start |");
        for (int i = 1; i <= minutes; i++) {
            md.append(' ').append(i).append(" |");
        }
        md.append("\n| --- |").append(" ---: |".repeat(minutes + 1)).append('\n');
        for (String index : indexNames(samples[0][7])) {
            md.append("| ").append(index).append(" |");
            for (String[] s : samples) {
                md.append(' ').append(String.format(Locale.ROOT, "%.1f", indexKb(s[7], index) / 1024.0)).append(" |");
            }
            md.append('\n');
        }
        md.append("\n### Errors by operation and status\n\n");
        Map<String, Long> errs = new TreeMap<>();
        for (Minute m : windows) {
            m.errors.forEach((k, v) -> errs.merge(k, v.get(), Long::sum));
        }
        md.append(errs.isEmpty() ? "none\n" : "");
        errs.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append("\n### Events\n\n");
        events.forEach(e -> md.append("- ").append(e).append('\n'));
        md.append("\n### Drift: p99 of the first and the last third of the run, ms\n\n| operation | first third | last third "
                + "| ratio |\n| --- | ---: | ---: | ---: |\n");
        int third = Math.max(1, minutes / 3);
        for (String op : OPS) {
            if (op.equals("claim_wait")) {
                continue; // timed with its wait
            }
            long[] a = merge(windows, 0, third, op);
            long[] b = merge(windows, minutes - third, minutes, op);
            if (a.length > 0 && b.length > 0) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f |%n", op, pct(a, 0.99), pct(b, 0.99),
                        Double.parseDouble(pct(b, 0.99)) / Double.parseDouble(pct(a, 0.99))));
            }
        }
        md.append("\n### Accounting\n\n").append(accounting);
        md.append(targets(samples));
        Files.writeString(out.resolve("soak.md"), md);
        Files.writeString(out.resolve("soak.dat"), dat);
    }

    private boolean targetsMet = true;
    private boolean accountingExact;

    /**
     * Issue 13's targets, checked: no 5xx and no timeout; claim p99 within 20 ms and every read's p99 within 25 ms in
     * every minute; no drift (last third's p99 within 1.5 times the first third's, every operation but the waiting
     * claim); the pending index no larger at the end than after the first third plus 10%; resident memory growing
     * at most 10% over the last two thirds; the accounting exact.
     */
    private String targets(String[][] samples) {
        List<String> missed = new ArrayList<>();
        List<String> met = new ArrayList<>();
        long serverErrors = 0;
        for (Minute m : windows) {
            for (Map.Entry<String, AtomicLong> e : m.errors.entrySet()) {
                String what = e.getKey().substring(e.getKey().indexOf(' ') + 1);
                if (what.startsWith("5") || what.equals("timeout") || what.equals("io")) {
                    serverErrors += e.getValue().get();
                }
            }
        }
        (serverErrors == 0 ? met : missed).add(serverErrors + " answers 5xx, timed out or cut");
        List<String> slow = new ArrayList<>();
        slowMinutes(slow, "claim", CLAIM_P99_MS);
        for (String op : READS) {
            slowMinutes(slow, op, READ_P99_MS);
        }
        (slow.isEmpty() ? met : missed).add("claim p99 ≤ " + CLAIM_P99_MS + " ms and read p99 ≤ " + READ_P99_MS
                + " ms in every minute" + (slow.isEmpty() ? "" : "; over: " + String.join(", ", slow)));
        int third = Math.max(1, minutes / 3);
        List<String> drifted = new ArrayList<>();
        for (String op : OPS) {
            long[] a = merge(windows, 0, third, op);
            long[] b = merge(windows, minutes - third, minutes, op);
            if (!op.equals("claim_wait") && a.length > 0 && b.length > 0
                    && Double.parseDouble(pct(b, 0.99)) > MAX_DRIFT * Double.parseDouble(pct(a, 0.99))) {
                drifted.add(op + " " + pct(a, 0.99) + " → " + pct(b, 0.99));
            }
        }
        (drifted.isEmpty() ? met : missed).add("p99 of the last third ≤ " + MAX_DRIFT + " × the first third's"
                + (drifted.isEmpty() ? "" : "; drifted: " + String.join(", ", drifted)));
        long pendingStart = indexKb(samples[0][7], "pending");
        long pendingThird = indexKb(samples[third][7], "pending");
        long pendingEnd = indexKb(samples[minutes][7], "pending");
        (pendingEnd <= pendingThird * 1.1 ? met : missed).add(String.format(Locale.ROOT,
                "pending index flat: %.1f MB at the start, %.1f MB after minute %d, %.1f MB at the end",
                pendingStart / 1024.0, pendingThird / 1024.0, third, pendingEnd / 1024.0));
        try {
            long rssThird = Long.parseLong(samples[third][8]);
            long rssEnd = Long.parseLong(samples[minutes][8]);
            (rssEnd <= rssThird * (1 + MAX_RSS_GROWTH) ? met : missed).add(String.format(Locale.ROOT,
                    "resident memory flat: %d MB after minute %d, %d MB at the end (%+.1f%%)", rssThird, third, rssEnd,
                    100.0 * (rssEnd - rssThird) / rssThird));
        } catch (NumberFormatException unknown) {
            missed.add("resident memory unknown (no service pid)");
        }
        (accountingExact ? met : missed).add("accounting exact");
        targetsMet = missed.isEmpty();
        StringBuilder t = new StringBuilder("\n### Targets\n\n");
        met.forEach(line -> t.append("- met: ").append(line).append('\n'));
        missed.forEach(line -> t.append("- **missed**: ").append(line).append('\n'));
        t.append(targetsMet ? "\n**All targets met.**\n" : "\n**" + missed.size() + " target(s) missed.**\n");
        return t.toString();
    }

    /** Adds "op: n of m minutes (worst p99 x ms in minute k)" when some minute's p99 is over the limit. */
    private void slowMinutes(List<String> slow, String op, double limitMs) {
        int over = 0;
        int worst = -1;
        long worstUs = 0;
        for (int i = 0; i < minutes; i++) {
            long[] l = windows[i].of(op).sorted();
            long p99 = l.length == 0 ? 0 : l[Math.min(l.length - 1, (int) Math.ceil(0.99 * l.length) - 1)];
            if (p99 > limitMs * 1000) {
                over++;
                if (p99 > worstUs) {
                    worstUs = p99;
                    worst = i;
                }
            }
        }
        if (over > 0) {
            slow.add(String.format(Locale.ROOT, "%s in %d of %d minutes (worst p99 %.1f ms, minute %d)", op, over,
                    minutes, worstUs / 1000.0, worst + 1));
        }
    }

    private static long[] merge(Minute m, String... ops) {
        List<long[]> parts = new ArrayList<>();
        for (String op : ops) {
            parts.add(m.of(op).sorted());
        }
        long[] all = parts.stream().flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(all);
        return all;
    }

    private static long[] merge(Minute[] ms, int from, int to, String op) {
        long[] all = Arrays.stream(ms, from, to).flatMapToLong(m -> Arrays.stream(m.of(op).sorted())).toArray();
        Arrays.sort(all);
        return all;
    }

    private static String num(long[] sorted) {
        String p = pct(sorted, 0.99);
        return p.equals("-") ? "NaN" : p;
    }

    private static List<String> indexNames(String indexes) {
        List<String> names = new ArrayList<>();
        for (String kv : indexes.split(" ")) {
            if (kv.contains("=")) {
                names.add(kv.substring(0, kv.indexOf('=')));
            }
        }
        return names;
    }

    /** The size in kB of the first index whose name contains {@code part}. */
    private static long indexKb(String indexes, String part) {
        for (String kv : indexes.split(" ")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).contains(part)) {
                return Long.parseLong(kv.substring(eq + 1)) / 1024;
            }
        }
        return -1;
    }

    // The accounting ---------------------------------------------------------------------------------------------

    private String accounting = "";

    /**
     * After the load has stopped and every worker has reported what it held: every acknowledged submission is in
     * exactly one of ml_jobs and ml_jobs_archive, no job was claimed twice, every acknowledged report is what the row
     * says (status, worker, result or error), no row was finished by the harness without an acknowledgement, and
     * /jobs/stats equals count(*) by status.
     */
    private boolean account(String maxId) throws Exception {
        List<String> problems = new ArrayList<>();
        StringBuilder a = new StringBuilder();
        // Every row this run created or touched, in either table, streamed: an hour's run has millions.
        String sql = "SELECT job_uuid, status, coalesce(worker_id, ''), coalesce(result_label, ''), "
                + "coalesce(error, ''), 'live' FROM ml_jobs WHERE id > " + maxId + " OR worker_id LIKE '" + workerPrefix
                + "%' UNION ALL "
                + "SELECT job_uuid, status, coalesce(worker_id, ''), coalesce(result_label, ''), coalesce(error, ''), "
                + "'archive' FROM ml_jobs_archive WHERE id > " + maxId + " OR worker_id LIKE '" + workerPrefix + "%'";
        long[] archived = { 0 };
        long[] unknown = { 0 };
        long[] wrong = { 0 };
        long[] finishedUnreported = { 0 };
        List<String> examples = new ArrayList<>();
        psqlRows(sql, f -> {
            if (f[5].equals("archive")) {
                archived[0]++;
            }
            Tracked t = jobs.get(UUID.fromString(f[0]));
            if (t == null) {
                unknown[0]++;
                if (f[2].startsWith(workerPrefix) && (f[1].equals(COMPLETED) || f[1].equals(FAILED))) {
                    finishedUnreported[0]++;
                }
                return;
            }
            t.rows++;
            if (t.reported == null) {
                if (f[2].startsWith(workerPrefix) && (f[1].equals(COMPLETED) || f[1].equals(FAILED))) {
                    finishedUnreported[0]++;
                }
            } else if (!rowAsReported(t, f)) {
                wrong[0]++;
                if (examples.size() < 10) {
                    examples.add(f[0] + " reported " + t.reported + " by " + t.claimedBy + ", row: " + String.join("|", f));
                }
            }
        });
        long submitted = 0;
        long missing = 0;
        long twice = 0;
        long claimed = 0;
        long claimedLoaded = 0;
        long reportedJobs = 0;
        long completed = 0;
        long stillHeld = 0;
        for (Map.Entry<UUID, Tracked> e : jobs.entrySet()) {
            Tracked t = e.getValue();
            if (t.submittedAt != NOT_YET) {
                submitted++;
                missing += t.rows == 0 ? 1 : 0;
                twice += t.rows > 1 ? 1 : 0;
            }
            if (t.claimedBy != null) {
                claimed++;
                claimedLoaded += t.submittedAt == NOT_YET ? 1 : 0;
                stillHeld += t.reported == null ? 1 : 0;
            }
            if (t.reported != null) {
                reportedJobs++;
                completed += t.reported == COMPLETED ? 1 : 0;
                if (t.rows == 0) {
                    wrong[0]++;
                    if (examples.size() < 10) {
                        examples.add(e.getKey() + " reported " + t.reported + " by " + t.claimedBy + ", row: none");
                    }
                }
            }
        }
        a.append(String.format(Locale.ROOT, "- submissions acknowledged: %d jobs; in ml_jobs or the archive: %d; missing: %d; "
                + "in both: %d (archived during the run: %d)%n", submitted, submitted - missing, missing, twice,
                archived[0]));
        a.append(String.format(Locale.ROOT, "- rows created during the run that no answer acknowledged: %d (submissions "
                + "without an answer: %d)%n", unknown[0], unackedSubmits.get()));
        if (missing > 0 || twice > 0) {
            problems.add("submitted jobs missing or in both tables");
        }
        if (unknown[0] > unackedSubmits.get()) {
            problems.add("more unacknowledged rows than unanswered submissions");
        }
        a.append(String.format(Locale.ROOT, "- claims: %d jobs (%d of them loaded before the run); claimed twice: %d%n",
                claimed, claimedLoaded, doubleClaims.size()));
        doubleClaims.stream().limit(10).forEach(d -> a.append("  - ").append(d).append('\n'));
        if (!doubleClaims.isEmpty()) {
            problems.add("jobs claimed twice");
        }
        a.append(String.format(Locale.ROOT, "- reports acknowledged: %d completed, %d failed; not as reported in the "
                + "database: %d; finished in the database without an acknowledged report: %d (reports without an answer: "
                + "%d); claimed but not reported: %d%n", completed, reportedJobs - completed, wrong[0],
                finishedUnreported[0], unackedReports.get(), stillHeld));
        examples.forEach(e -> a.append("  - ").append(e).append('\n'));
        if (wrong[0] > 0 || finishedUnreported[0] > unackedReports.get()) {
            problems.add("reports not applied exactly once");
        }
        // The load is over: the counters and count(*) must agree exactly.
        HttpResponse<String> r = http.send(request("jobs/stats").build(), HttpResponse.BodyHandlers.ofString());
        JsonNode byStatus = parse(r).get("by_status");
        Map<String, Long> counted = new TreeMap<>();
        for (String line : psql("SELECT status, count(*) FROM ml_jobs GROUP BY status").split("\n")) {
            String[] f = line.split("\\|");
            counted.put(f[0], Long.parseLong(f[1]));
        }
        Map<String, Long> served = new TreeMap<>();
        byStatus.fields().forEachRemaining(e -> served.put(e.getKey(), e.getValue().asLong()));
        boolean statsEqual = true;
        for (String s : List.of("pending", "running", "completed", "failed")) {
            statsEqual &= served.getOrDefault(s, 0L).equals(counted.getOrDefault(s, 0L));
        }
        a.append("- /jobs/stats ").append(served).append(statsEqual ? " equals " : " DIFFERS FROM ")
                .append("count(*) by status ").append(counted).append('\n');
        if (!statsEqual) {
            problems.add("/jobs/stats differs from count(*)");
        }
        a.append(problems.isEmpty() ? "\n**Accounting exact.**\n" : "\n**Accounting FAILED: " + problems + "**\n");
        accounting = a.toString();
        System.err.print(accounting);
        return problems.isEmpty();
    }
}
