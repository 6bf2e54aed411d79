package io.mljobs.queue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mljobs.api.ProblemException;
import io.mljobs.config.MlJobsConfig;
import io.mljobs.db.Notifications;
import io.mljobs.job.PendingJobsSignal;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Claims that wait for work ({@code wait_seconds}): parked in memory, holding no connection and no thread, until
 * a notification on {@link PendingJobsSignal#CHANNEL} says jobs became pending, or the wait ends.
 *
 * <p>
 * No wake-up is lost. A claim that finds the queue empty parks only if no notification arrived since its query
 * began ({@code generation}); otherwise it looks again at once. A notification wakes the longest-parked claims
 * whose limits cover its jobs. When the listening connection comes back after an outage, every parked claim looks
 * again, since notifications sent meanwhile are gone. At shutdown every parked claim answers empty at once.
 */
@ApplicationScoped
public class ClaimWaiters {

    private final Vertx vertx;
    private final Notifications notifications;
    private final int max;
    private final AtomicInteger waiting = new AtomicInteger();
    /** Oldest first; guarded by {@code this}, like {@code generation} and each parked waiter's emitter. */
    private final LinkedHashSet<Waiter> parked = new LinkedHashSet<>();
    private long generation;
    private volatile boolean closing;

    public ClaimWaiters(io.vertx.mutiny.core.Vertx vertx, Notifications notifications, MlJobsConfig config,
            MeterRegistry registry) {
        this.vertx = vertx.getDelegate();
        this.notifications = notifications;
        this.max = config.queue().maxWaitingClaims();
        registry.find("mljobs.queue.waiting.claims").meters().forEach(registry::remove);
        Gauge.builder("mljobs.queue.waiting.claims", waiting, AtomicInteger::get)
                .description("Claims with wait_seconds in progress, waiting for jobs or claiming")
                .strongReference(true).register(registry);
    }

    void listen(@Observes StartupEvent event) {
        notifications.listen(PendingJobsSignal.CHANNEL, this::onPendingJobs, this::wakeAll);
    }

    /** One waiting claim, from its start to its answer. */
    final class Waiter {
        private final int limit;
        private final long deadlineNanos;
        private final Context context;
        private long seenGeneration;
        private UniEmitter<? super Boolean> emitter;
        private long timerId = -1;

        private Waiter(int limit, long deadlineNanos, Context context) {
            this.limit = limit;
            this.deadlineNanos = deadlineNanos;
            this.context = context;
        }

        /** Call before each claim query: a notification from now on means the query may have missed a job. */
        void beforeClaim() {
            synchronized (ClaimWaiters.this) {
                seenGeneration = generation;
            }
        }

        boolean expired() {
            return closing || System.nanoTime() - deadlineNanos >= 0;
        }

        /**
         * Parks until jobs may be pending (true: claim again) or the wait is over (false). Answers true at once if a
         * notification came during the last claim.
         */
        Uni<Boolean> awaitJobs() {
            return Uni.createFrom().<Boolean> emitter(emitter -> {
                boolean answer;
                synchronized (ClaimWaiters.this) {
                    long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
                    if (closing || remainingMs <= 0) {
                        answer = false;
                    } else if (generation != seenGeneration) {
                        answer = true;
                    } else {
                        this.emitter = emitter;
                        parked.add(this);
                        timerId = vertx.setTimer(remainingMs, id -> wake(this, false));
                        emitter.onTermination(() -> unpark(this));
                        return;
                    }
                }
                emitter.complete(answer);
            });
        }

        /** Call once, when the claim has its answer (or its client went away). */
        void done() {
            unpark(this);
            waiting.decrementAndGet();
        }
    }

    /** Registers a waiting claim, or refuses it with 503 when {@code mljobs.queue.max-waiting-claims} are waiting. */
    Waiter register(int limit, long waitNanos) {
        if (waiting.incrementAndGet() > max) {
            waiting.decrementAndGet();
            throw ProblemException.unavailable("server-busy", "Server busy", max + " claims are waiting already "
                    + "(mljobs.queue.max-waiting-claims); retry after the time in Retry-After.", 1);
        }
        Context context = Vertx.currentContext();
        return new Waiter(limit, System.nanoTime() + waitNanos, context != null ? context : vertx.getOrCreateContext());
    }

    /** The number of jobs that became pending; anything else (a bare NOTIFY from SQL) wakes every claim. */
    private void onPendingJobs(String payload) {
        long jobs;
        try {
            jobs = Long.parseLong(payload);
        } catch (NumberFormatException notANumber) {
            wakeAll();
            return;
        }
        List<Waiter> woken = new ArrayList<>();
        synchronized (this) {
            generation++;
            long covered = 0;
            Iterator<Waiter> oldest = parked.iterator();
            while (covered < jobs && oldest.hasNext()) {
                Waiter waiter = oldest.next();
                covered += waiter.limit;
                woken.add(waiter);
            }
        }
        woken.forEach(waiter -> wake(waiter, true));
    }

    private void wakeAll() {
        List<Waiter> woken;
        synchronized (this) {
            generation++;
            woken = new ArrayList<>(parked);
        }
        woken.forEach(waiter -> wake(waiter, true));
    }

    private void wake(Waiter waiter, boolean jobsMayBePending) {
        UniEmitter<? super Boolean> emitter;
        synchronized (this) {
            emitter = waiter.emitter;
            if (emitter == null) {
                return;
            }
            unparkLocked(waiter);
        }
        // Answer on the request's own context, not on the listener's event loop.
        waiter.context.runOnContext(ignored -> emitter.complete(jobsMayBePending));
    }

    private synchronized void unpark(Waiter waiter) {
        unparkLocked(waiter);
    }

    private void unparkLocked(Waiter waiter) {
        parked.remove(waiter);
        waiter.emitter = null;
        if (waiter.timerId >= 0) {
            vertx.cancelTimer(waiter.timerId);
            waiter.timerId = -1;
        }
    }

    /** Claims waiting or claiming now. */
    int waiting() {
        return waiting.get();
    }

    /** Claims parked for a notification now. */
    synchronized int parked() {
        return parked.size();
    }

    void drain(@Observes ShutdownDelayInitiatedEvent event) {
        endWaits();
    }

    void stop(@Observes ShutdownEvent event) {
        endWaits();
    }

    /** Going away: every parked claim answers empty now, and no new claim waits. */
    private void endWaits() {
        List<Waiter> ended;
        synchronized (this) {
            closing = true;
            ended = new ArrayList<>(parked);
        }
        ended.forEach(waiter -> wake(waiter, false));
    }
}
