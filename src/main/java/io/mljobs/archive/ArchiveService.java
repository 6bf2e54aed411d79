package io.mljobs.archive;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Timer;
import io.mljobs.api.ProblemException;
import io.mljobs.archive.ArchiveRepository.Moved;
import io.mljobs.config.MlJobsConfig;
import io.mljobs.db.Db;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Moves completed and failed jobs older than a cutoff into the archive in small atomic batches,
 * then (for scheduled runs) applies retention: drops the monthly partitions wholly past it and
 * deletes in batches only in the partition it cuts through. One run at a time across every
 * replica: the run's connection holds a PostgreSQL advisory lock for as long as it goes. Apart
 * from runs, it makes the archive's partitions ahead of need.
 */
@ApplicationScoped
public class ArchiveService {

    private static final Logger LOG = Logger.getLogger(ArchiveService.class);
    static final int PURGE_BATCH = 5_000;

    /** How a start request ended: a run that is now going, or the one that already was. */
    public sealed interface Start {
    }

    /** {@code done} completes with the run's final record, whatever its outcome. */
    public record Started(ArchiveRun run, Uni<ArchiveRun> done) implements Start {
    }

    /** Another run holds the lock; {@code running} is its record, if it could be read. */
    public record Busy(ArchiveRun running) implements Start {
    }

    /** A requested run as the request leaves it: ended (and succeeded) within sync-wait, or still going. */
    public record Requested(ArchiveRun run, boolean ended) {
    }

    private final Db db;
    private final ArchiveRepository archive;
    private final int retentionDays;
    private final int parallelism;
    private final long analyzeAfterRows;
    private final ArchiveMetrics metrics;
    private final Duration syncWait;
    private final int partitionsAhead;

    public ArchiveService(Db db, ArchiveRepository archive, ArchiveMetrics metrics, MlJobsConfig config) {
        this.db = db;
        this.archive = archive;
        this.metrics = metrics;
        this.retentionDays = config.archive().retentionDays();
        this.analyzeAfterRows = config.archive().analyzeAfterRows();
        this.parallelism = Math.max(1, config.archive().parallelism());
        this.syncWait = config.archive().syncWait();
        this.partitionsAhead = config.archive().partitionsAhead();
    }

    /**
     * A run on request, without retention. A request never waits for a long run: it waits up to
     * sync-wait for the end, then leaves the run going. Another run going is a 409 and a failed run
     * a 500, each naming the run to read.
     */
    public Uni<Requested> runOnRequest(int daysOld, int batchSize) {
        return start(ArchiveRun.Trigger.REQUEST, daysOld, batchSize, false).chain(start -> {
            if (start instanceof Busy busy) {
                return Uni.createFrom().failure(alreadyRunning(busy.running()));
            }
            Started started = (Started) start;
            return started.done()
                    .map(run -> {
                        if (run.state() != ArchiveRun.State.SUCCEEDED) {
                            throw runFailed(run);
                        }
                        return new Requested(run, true);
                    })
                    .ifNoItem().after(syncWait)
                    .recoverWithItem(() -> new Requested(started.run(), false));
        });
    }

    public Uni<ArchiveRun> findRun(long runId) {
        return archive.findRun(runId).map(found -> found.orElseThrow(
                () -> ProblemException.notFound("No archive run " + runId + ".")));
    }

    public Uni<List<ArchiveRun>> listRuns(int limit) {
        return archive.listRuns(limit);
    }

    /** Where a run's record is read, relative to the base URI. */
    public static String runPath(long runId) {
        return "admin/archive-runs/" + runId;
    }

    private static ProblemException alreadyRunning(ArchiveRun running) {
        ProblemException problem = new ProblemException(409, "archive-running", "Archival already running",
                "An archival run is going" + (running == null ? "" : " (run " + running.id() + ")")
                        + "; only one runs at a time. Poll its URL, then ask again.");
        return running == null ? problem : problem.withLocation(runPath(running.id()));
    }

    private static ProblemException runFailed(ArchiveRun run) {
        return new ProblemException(500, "archive-failed", "Archival run failed", "Run " + run.id()
                + " failed after archiving " + run.archived() + " jobs; each batch is atomic, so every job is "
                + "in exactly one table. Ask again to continue.").withLocation(runPath(run.id()));
    }

    /**
     * A run left marked running by a process that died is marked failed at the next start (and by
     * the next run), not only when the next run comes: its record is true as soon as possible.
     * Only under the lock, so a run going on another replica is left alone.
     */
    void failStaleRuns(@Observes StartupEvent event) {
        db.withConnection(conn -> archive.tryLock(conn).chain(locked -> !locked ? Uni.createFrom().item(List.<Long> of())
                : archive.failStaleRuns(conn).eventually(() -> archive.unlock(conn).onFailure().recoverWithNull())))
                .subscribe().with(
                        stale -> stale.forEach(id -> LOG.warnf("archive run %d was left running by a stopped process: "
                                + "marked failed", id)),
                        failure -> LOG.warnf("could not check for stale archive runs: %s", failure.getMessage()));
    }

    /**
     * Starts a run unless one is going. The answer comes as soon as the lock is taken (or not);
     * the run goes on in the background, on the connection that holds the lock.
     *
     * <p>
     * The lock can be busy while no run is recorded as running: a run that has just recorded
     * its end and not yet released the lock (or whose dead backend PostgreSQL is still closing), or
     * one that has taken the lock and not yet recorded its start. Neither is a run to report, so
     * the lock is tried again, briefly, before answering Busy.
     */
    public Uni<Start> start(ArchiveRun.Trigger trigger, int daysOld, int batchSize, boolean withRetention) {
        return tryStart(trigger, daysOld, batchSize, withRetention, BUSY_RETRIES);
    }

    static final int BUSY_RETRIES = 25;
    static final Duration BUSY_RETRY_DELAY = Duration.ofMillis(20);

    private Uni<Start> tryStart(ArchiveRun.Trigger trigger, int daysOld, int batchSize, boolean withRetention, int retries) {
        return startOnce(trigger, daysOld, batchSize, withRetention).chain(start -> {
            if (start instanceof Busy busy && busy.running() == null && retries > 0) {
                return Uni.createFrom().voidItem().onItem().delayIt().by(BUSY_RETRY_DELAY)
                        .chain(() -> tryStart(trigger, daysOld, batchSize, withRetention, retries - 1));
            }
            return Uni.createFrom().item(start);
        });
    }

    private Uni<Start> startOnce(ArchiveRun.Trigger trigger, int daysOld, int batchSize, boolean withRetention) {
        CompletableFuture<Start> start = new CompletableFuture<>();
        CompletableFuture<ArchiveRun> done = new CompletableFuture<>();
        db.withConnection(conn -> archive.tryLock(conn).chain(locked -> {
            if (!locked) {
                return archive.findRunning().invoke(running -> start.complete(new Busy(running.orElse(null))))
                        .replaceWithVoid();
            }
            // done completes only after the unlock: whoever reacts to the end can start the next run.
            return archive.startRun(conn, trigger, daysOld, batchSize)
                    .invoke(run -> start.complete(new Started(run, Uni.createFrom().completionStage(done))))
                    .chain(run -> execute(conn, run, withRetention))
                    .eventually(() -> archive.unlock(conn).onFailure().recoverWithNull())
                    .invoke(done::complete);
        })).subscribe().with(ignored -> {
        }, failure -> {
            // Failed before the run was recorded (no connection, lock query failed).
            LOG.errorf(failure, "archival could not start");
            start.completeExceptionally(failure);
            done.completeExceptionally(failure);
        });
        return Uni.createFrom().completionStage(start);
    }

    private Uni<ArchiveRun> execute(SqlClient conn, ArchiveRun run, boolean withRetention) {
        Timer.Sample timing = metrics.startTiming();
        LOG.infof("archive run %d: moving completed and failed jobs created before %s, %d a batch", run.id(),
                run.cutoff(), run.batchSize());
        return moveAll(conn, run)
                .chain(moved -> withRetention && retentionDays > 0 ? applyRetention(conn, run.id()).replaceWith(moved)
                        : Uni.createFrom().item(moved))
                .chain(moved -> moved < analyzeAfterRows ? Uni.createFrom().voidItem()
                        : archive.analyze().invoke(analyzed -> {
                            if (!analyzed) {
                                LOG.infof("archive run %d: autovacuum holds a table, leaving ANALYZE to it", run.id());
                            }
                        }).replaceWithVoid())
                .chain(() -> archive.finishRun(run.id(), ArchiveRun.State.SUCCEEDED, null))
                .onFailure().recoverWithUni(failure -> {
                    LOG.errorf(failure, "archive run %d failed", run.id());
                    return archive.finishRun(run.id(), ArchiveRun.State.FAILED, String.valueOf(failure.getMessage()));
                })
                .invoke(finished -> {
                    metrics.recordRun(timing, finished);
                    LOG.infof("archive run %d %s: %d jobs archived in %d batches (%.0f rows/s), %d purged, "
                            + "%d partitions dropped", finished.id(), finished.state().value(), finished.archived(),
                            finished.batches(), finished.rowsPerSecond(), finished.purged(), finished.droppedPartitions());
                });
    }

    /**
     * With parallelism above 1, the created_at range up to the cutoff is cut into that many slices
     * of equal time, each moved batch by batch on a connection of its own: a batch is bound by one
     * backend's CPU, so slices use the cores PostgreSQL has. All slices run under this run's lock.
     */
    private Uni<Long> moveAll(SqlClient conn, ArchiveRun run) {
        AtomicBoolean stop = new AtomicBoolean();
        if (parallelism == 1) {
            return moveBatches(conn, run, run.cutoff(), null, stop);
        }
        return archive.oldestCreatedAt(conn).chain(oldest -> {
            if (oldest.isEmpty() || !oldest.get().isBefore(run.cutoff())) {
                return Uni.createFrom().item(0L);
            }
            long from = oldest.get().toEpochMilli();
            long span = run.cutoff().toEpochMilli() - from;
            List<Uni<Long>> slices = new ArrayList<>();
            for (int i = 0; i < parallelism; i++) {
                Instant start = Instant.ofEpochMilli(from + span * i / parallelism);
                Instant end = i == parallelism - 1 ? run.cutoff() : Instant.ofEpochMilli(from + span * (i + 1) / parallelism);
                // A slice starts just before its first instant: Moved(0, start - 1 µs) is "after nothing earlier".
                Moved before = i == 0 ? null : new Moved(0, start.atOffset(ZoneOffset.UTC).minusNanos(1_000), Long.MAX_VALUE);
                slices.add(db.withConnection(slice -> moveBatches(slice, run, end, before, stop))
                        .onFailure().invoke(() -> stop.set(true)));
            }
            // A failed slice stops the others after their current batch, and the run ends only when
            // all have: none is cancelled mid-batch, so the run's record is final when it is written.
            return Uni.combine().all().unis(slices).collectFailures()
                    .with(counts -> counts.stream().mapToLong(c -> (Long) c).sum());
        });
    }

    /**
     * Batch after batch until one moves nothing; answers how many rows moved. A short batch is not
     * the end: a row locked by a writer, or changed since the statement's snapshot, can fall out
     * of a batch while eligible rows remain after it.
     */
    /** What a slice told to stop "moves": it ends the repetition like an empty batch. */
    private static final Moved NOTHING_MOVED = new Moved(0, null, null);

    private Uni<Long> moveBatches(SqlClient conn, ArchiveRun run, Instant end, Moved after, AtomicBoolean stop) {
        AtomicReference<Moved> last = new AtomicReference<>(after);
        AtomicLong total = new AtomicLong();
        // Repeated, not recursive: a chain per batch hands the final count back through one stack
        // frame per batch, and a run of a few thousand small batches overflowed the stack.
        return Multi.createBy().repeating()
                .uni(() -> stop.get() ? Uni.createFrom().item(NOTHING_MOVED)
                        : archive.archiveBatch(conn, run.id(), end, last.get(), run.batchSize()))
                .whilst(moved -> {
                    if (moved.count() == 0) {
                        return false;
                    }
                    last.set(moved);
                    total.addAndGet(moved.count());
                    metrics.countBatch(moved.count());
                    return true;
                })
                .collect().last()
                .map(ignored -> total.get());
    }

    /**
     * Partition by partition, oldest first: one wholly past retention is dropped (O(1), whatever it holds); one
     * the cutoff falls in has its rows past retention deleted in batches. A partition whose drop did not get its
     * lock in time is left whole for the next run: deleting its rows one by one instead is what partitions avoid.
     */
    private Uni<Void> applyRetention(SqlClient conn, long runId) {
        return archive.listPartitions(conn, retentionDays).chain(listed -> Multi.createFrom()
                .iterable(listed.partitions())
                .onItem().transformToUniAndConcatenate(partition -> switch (partition.retentionAt(listed.cutoff())) {
                    case DROP -> archive.dropPartition(runId, partition).invoke(dropped -> {
                        if (dropped) {
                            metrics.countDroppedPartition();
                            LOG.infof("archive run %d: dropped partition %s, wholly past retention", runId,
                                    partition.name());
                        } else {
                            LOG.warnf("archive run %d: partition %s is past retention but its lock did not come "
                                    + "in time; the next run drops it", runId, partition.name());
                        }
                    }).replaceWithVoid();
                    case DELETE_ROWS -> purgeRows(conn, runId, partition, listed.cutoff()).replaceWithVoid();
                    case KEEP -> Uni.createFrom().voidItem();
                })
                .collect().last().replaceWithVoid());
    }

    private Uni<Long> purgeRows(SqlClient conn, long runId, ArchivePartition partition, Instant cutoff) {
        AtomicLong total = new AtomicLong();
        return Multi.createBy().repeating()
                .uni(() -> archive.purgeBatch(conn, runId, partition, cutoff, PURGE_BATCH))
                .whilst(purged -> {
                    total.addAndGet(purged);
                    metrics.countPurged(purged);
                    return purged == PURGE_BATCH;
                })
                .collect().last()
                .map(ignored -> total.get());
    }

    /**
     * This month's partition and the next partitions-ahead months', at start and on schedule: archival always
     * has its month's partition ready, and never waits for one to be made. Every replica does it; the second
     * finds the months made. A lock that does not come in time leaves it to the next turn.
     */
    public Uni<Void> ensurePartitions() {
        return archive.createPartitions(partitionsAhead).invoke(made -> {
            if (made.isEmpty()) {
                LOG.warnf("archive partitions: a lock did not come in time; the next turn makes them");
            } else if (made.get() > 0) {
                LOG.infof("archive partitions: made %d, up to %d months ahead", made.get(), partitionsAhead);
            }
        }).replaceWithVoid();
    }

    void ensurePartitionsAtStart(@Observes StartupEvent event) {
        ensurePartitions().subscribe().with(ignored -> {
        }, failure -> LOG.warnf("could not make the archive's partitions: %s", failure.getMessage()));
    }
}
