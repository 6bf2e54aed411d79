package io.mljobs.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

/** The admission queue's bounds and its accounting: a permit comes back exactly when the work ends. */
class AdmissionTest {

    private final List<UniEmitter<? super String>> running = new ArrayList<>();

    private Uni<String> held() {
        return Uni.createFrom().emitter(running::add);
    }

    @Test
    void workBeyondThePermitsWaitsInOrderAndStartsWhenAPermitReturns() throws Exception {
        Admission admission = new Admission("t", 1, 10, Duration.ofSeconds(10).toNanos());
        CompletableFuture<String> first = admission.run(this::held).subscribeAsCompletionStage();
        CompletableFuture<String> second = admission.run(() -> Uni.createFrom().item("second"))
                .subscribeAsCompletionStage();
        assertEquals(1, admission.inUse());
        assertEquals(1, admission.queued());
        running.get(0).complete("first");
        assertEquals("first", first.get(5, TimeUnit.SECONDS));
        assertEquals("second", second.get(5, TimeUnit.SECONDS));
        assertEquals(0, admission.inUse());
    }

    @Test
    void fullQueueRejectsAtOnceAndAnExpiredWaitFails() throws Exception {
        Admission admission = new Admission("t", 1, 1, Duration.ofMillis(100).toNanos());
        admission.run(this::held).subscribeAsCompletionStage();
        CompletableFuture<String> waiting = admission.run(() -> Uni.createFrom().item("late"))
                .subscribeAsCompletionStage();
        CompletableFuture<String> rejected = admission.run(() -> Uni.createFrom().item("never"))
                .subscribeAsCompletionStage();
        assertFailsWith(rejected, DatabaseBusyException.class);
        assertEquals(1, admission.rejectedQueueFull.sum());
        Thread.sleep(150);
        admission.expireWaiters();
        assertFailsWith(waiting, DatabaseBusyException.class);
        assertEquals(1, admission.rejectedWaitedTooLong.sum());
        assertEquals(0, admission.queued());
    }

    @Test
    void callerThatGoesAwayDoesNotReturnThePermitBeforeTheWorkEnds() throws Exception {
        Admission admission = new Admission("t", 1, 10, Duration.ofSeconds(10).toNanos());
        Cancellable caller = admission.run(this::held).subscribe().with(item -> {
        }, failure -> {
        });
        caller.cancel();
        assertEquals(1, admission.inUse(), "the work still holds its connection");
        assertTrue(admission.stalledNanos() > 0);
        running.get(0).complete("done");
        assertEquals(0, admission.inUse());
        assertEquals(0, admission.stalledNanos());
    }

    @Test
    void waiterThatGoesAwayIsSkipped() throws Exception {
        Admission admission = new Admission("t", 1, 10, Duration.ofSeconds(10).toNanos());
        admission.run(this::held).subscribeAsCompletionStage();
        Cancellable gone = admission.run(() -> Uni.createFrom().item("gone")).subscribe().with(item -> {
        });
        CompletableFuture<String> next = admission.run(() -> Uni.createFrom().item("next")).subscribeAsCompletionStage();
        gone.cancel();
        running.get(0).complete("first");
        assertEquals("next", next.get(5, TimeUnit.SECONDS));
        assertEquals(0, admission.inUse());
    }

    private static void assertFailsWith(CompletableFuture<?> future, Class<? extends Throwable> type) {
        try {
            future.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            assertInstanceOf(type, e.getCause());
            return;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("did not fail");
    }
}
