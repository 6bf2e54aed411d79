package io.mljobs.stats;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Keeps the counter tables a few dozen rows long, whatever the write traffic. */
@ApplicationScoped
public class StatsCompactor {

    private final StatsRepository stats;

    public StatsCompactor(StatsRepository stats) {
        this.stats = stats;
    }

    @Scheduled(every = "${mljobs.stats.compact-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> onSchedule() {
        return stats.compactCounters().replaceWithVoid();
    }
}
