package io.mljobs.archive;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;

/**
 * Every mljobs_archive_* meter. Registered at start-up (the observer makes the bean then), so a
 * scrape shows them before the first run; the last-success gauge starts from the run records.
 */
@ApplicationScoped
public class ArchiveMetrics {

    private static final Logger LOG = Logger.getLogger(ArchiveMetrics.class);

    private final MeterRegistry registry;
    private final ArchiveRepository archive;
    private final Counter archivedRows;
    private final Counter batches;
    private final Counter purgedRows;
    private final Counter droppedPartitions;
    private final AtomicLong lastSuccessEpochSeconds = new AtomicLong();

    public ArchiveMetrics(MeterRegistry registry, ArchiveRepository archive) {
        this.registry = registry;
        this.archive = archive;
        this.archivedRows = Counter.builder("mljobs.archive.rows").description("Jobs moved to the archive")
                .register(registry);
        this.batches = Counter.builder("mljobs.archive.batches").description("Archival batches committed")
                .register(registry);
        this.purgedRows = Counter.builder("mljobs.archive.purged.rows")
                .description("Archived jobs deleted one by one past retention").register(registry);
        this.droppedPartitions = Counter.builder("mljobs.archive.dropped.partitions")
                .description("Monthly archive partitions dropped whole past retention").register(registry);
        // The outcomes a run ends with, so that both series exist before the first run.
        runTimer(ArchiveRun.State.SUCCEEDED);
        runTimer(ArchiveRun.State.FAILED);
        Gauge.builder("mljobs.archive.last.success", lastSuccessEpochSeconds, AtomicLong::get)
                .description("When the last archival run succeeded, in seconds since the epoch (0: never)")
                .baseUnit("timestamp_seconds").register(registry);
    }

    void loadLastSuccess(@Observes StartupEvent event) {
        archive.lastSuccess().subscribe().with(
                last -> last.ifPresent(at -> lastSuccessEpochSeconds.accumulateAndGet(at.getEpochSecond(), Math::max)),
                failure -> LOG.warnf("could not read the last archival run: %s", failure.getMessage()));
    }

    Timer.Sample startTiming() {
        return Timer.start(registry);
    }

    void countBatch(long rows) {
        archivedRows.increment(rows);
        batches.increment();
    }

    void countPurged(long rows) {
        purgedRows.increment(rows);
    }

    void countDroppedPartition() {
        droppedPartitions.increment();
    }

    /** The run's duration by outcome; a success moves the last-success gauge. */
    void recordRun(Timer.Sample timing, ArchiveRun finished) {
        timing.stop(runTimer(finished.state()));
        if (finished.state() == ArchiveRun.State.SUCCEEDED) {
            lastSuccessEpochSeconds.accumulateAndGet(finished.finishedAt().getEpochSecond(), Math::max);
        }
    }

    private Timer runTimer(ArchiveRun.State outcome) {
        return Timer.builder("mljobs.archive.run").description("Archival runs, from start to end, by outcome")
                .tag("outcome", outcome.value()).register(registry);
    }
}
