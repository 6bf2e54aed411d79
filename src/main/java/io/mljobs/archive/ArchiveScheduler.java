package io.mljobs.archive;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.mljobs.config.MlJobsConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * The nightly run (cron {@code mljobs.archive.cron}; {@code off} disables it): archival, then
 * retention. Every replica fires it; the advisory lock lets one run and the others skip. And the
 * archive's monthly partitions, made ahead of need every {@code mljobs.archive.partitions-every}.
 */
@ApplicationScoped
public class ArchiveScheduler {

    private static final Logger LOG = Logger.getLogger(ArchiveScheduler.class);

    private final ArchiveService service;
    private final int daysOld;
    private final int batchSize;

    public ArchiveScheduler(ArchiveService service, MlJobsConfig config) {
        this.service = service;
        this.daysOld = config.archive().daysOld();
        this.batchSize = config.archive().batchSize();
    }

    @Scheduled(identity = "archive", cron = "${mljobs.archive.cron}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> onSchedule() {
        return service.start(ArchiveRun.Trigger.SCHEDULE, daysOld, batchSize, true).chain(start -> {
            if (start instanceof ArchiveService.Started started) {
                return started.done().replaceWithVoid();
            }
            LOG.info("scheduled archival skipped: another run is going");
            return Uni.createFrom().voidItem();
        });
    }

    @Scheduled(identity = "archive-partitions", every = "${mljobs.archive.partitions-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> onPartitionSchedule() {
        return service.ensurePartitions();
    }
}
