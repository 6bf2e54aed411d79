package io.mljobs.db;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Admission to one connection pool: at most {@code permits} pieces of database work at once (one
 * per connection), at most {@code maxQueue} more waiting in FIFO order, none waiting longer than
 * {@code maxWaitNanos}. Past either bound the work fails at once with {@link DatabaseBusyException}
 * (a 503), which costs nothing of the database.
 *
 * <p>
 * Why not the pool's own wait queue and timeout: in Vert.x 4.5 the pool hands a released
 * connection to a queued waiter without marking it served, so when that waiter's timeout fires in
 * the same instant the pool reports the cancel as successful, fails the waiter with "Timeout" and
 * then delivers the connection to a promise that is already complete. Nobody returns that
 * connection: it is lost to the pool for good, and a burst of a few hundred requests lost all eight.
 * The pool now runs without a timeout or a queue bound, and this class is the only place that waits.
 *
 * <p>
 * A permit is returned when the work really ends, not when its caller gives up (a client that
 * disconnects cancels the request, not the transaction under way), so the count of permits in use
 * is always the count of connections in use. A caller never waits past its deadline either way.
 */
public final class Admission {

    private final String name;
    private final int permits;
    private final int maxQueue;
    private final long maxWaitNanos;
    private final ArrayDeque<Waiter<?>> queue = new ArrayDeque<>();
    private int inUse;
    private long lastProgressNanos = System.nanoTime();

    final LongAdder rejectedQueueFull = new LongAdder();
    final LongAdder rejectedWaitedTooLong = new LongAdder();

    public Admission(String name, int permits, int maxQueue, long maxWaitNanos) {
        if (permits < 1 || maxQueue < 0 || maxWaitNanos <= 0) {
            throw new IllegalArgumentException("admission " + name + ": permits " + permits + ", queue " + maxQueue
                    + ", wait " + maxWaitNanos + " ns");
        }
        this.name = name;
        this.permits = permits;
        this.maxQueue = maxQueue;
        this.maxWaitNanos = maxWaitNanos;
    }

    /** Runs the work once a permit is free; the work is subscribed on the caller's Vert.x context. */
    public <T> Uni<T> run(Supplier<Uni<T>> work) {
        return Uni.createFrom().emitter(emitter -> {
            Waiter<T> waiter = new Waiter<>(work, emitter, Vertx.currentContext(), System.nanoTime() + maxWaitNanos);
            emitter.onTermination(() -> waiter.done.set(true));
            boolean start;
            synchronized (this) {
                if (inUse < permits && queue.isEmpty()) {
                    inUse++;
                    start = true;
                } else if (queue.size() < maxQueue) {
                    queue.addLast(waiter);
                    start = false;
                } else {
                    rejectedQueueFull.increment();
                    emitter.fail(new DatabaseBusyException(name + ": " + queue.size()
                            + " requests already wait for a database connection"));
                    return;
                }
            }
            if (start) {
                begin(waiter);
            }
        });
    }

    /** Fails the waiters whose deadline passed; run periodically, since no release may come. */
    public void expireWaiters() {
        long now = System.nanoTime();
        List<Waiter<?>> expired = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Waiter<?>> it = queue.iterator(); it.hasNext();) {
                Waiter<?> waiter = it.next();
                if (waiter.done.get()) {
                    it.remove();
                } else if (now - waiter.deadline >= 0) {
                    it.remove();
                    expired.add(waiter);
                }
            }
        }
        for (Waiter<?> waiter : expired) {
            rejectedWaitedTooLong.increment();
            waiter.emitter.fail(new DatabaseBusyException(name + ": no database connection came within "
                    + maxWaitNanos / 1_000_000 + " ms"));
        }
    }

    public synchronized int inUse() {
        return inUse;
    }

    public synchronized int queued() {
        return queue.size();
    }

    public int permits() {
        return permits;
    }

    public String name() {
        return name;
    }

    /**
     * How long work has been admitted or waiting without any work ending, success or failure; 0
     * when nothing is admitted. With statement timeouts in force, every piece of work ends within
     * seconds, so a long stall means connections were lost to something outside this class.
     */
    public synchronized long stalledNanos() {
        return inUse == 0 ? 0 : System.nanoTime() - lastProgressNanos;
    }

    private <T> void begin(Waiter<T> waiter) {
        if (waiter.done.get()) {
            // The caller went away while it waited: nothing to run, pass the permit on.
            release();
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable end = () -> {
            if (released.compareAndSet(false, true)) {
                release();
            }
        };
        Uni<T> running;
        try {
            running = waiter.work.get();
        } catch (RuntimeException e) {
            end.run();
            waiter.emitter.fail(e);
            return;
        }
        // Subscribed apart from the caller's emitter: cancelling the request does not cancel the work,
        // so its connection is always returned before the permit is.
        running.subscribe().with(item -> {
            end.run();
            waiter.emitter.complete(item);
        }, failure -> {
            end.run();
            waiter.emitter.fail(failure);
        });
    }

    private void release() {
        Waiter<?> next;
        synchronized (this) {
            lastProgressNanos = System.nanoTime();
            do {
                next = queue.pollFirst();
            } while (next != null && next.done.get());
            if (next == null) {
                inUse--;
                return;
            }
        }
        Waiter<?> handedOver = next;
        if (handedOver.context == null) {
            begin(handedOver);
        } else {
            handedOver.context.runOnContext(ignored -> begin(handedOver));
        }
    }

    private record Waiter<T>(Supplier<Uni<T>> work, UniEmitter<? super T> emitter, Context context, long deadline,
            AtomicBoolean done) {

        Waiter(Supplier<Uni<T>> work, UniEmitter<? super T> emitter, Context context, long deadline) {
            this(work, emitter, context, deadline, new AtomicBoolean());
        }
    }
}
