package io.mljobs.stats;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Keeps the counter tables a few dozen rows long, whatever the write traffic. */
@ApplicationScoped
public class CountsCompactor {

    private final StatusCounts counts;

    public CountsCompactor(StatusCounts counts) {
        this.counts = counts;
    }

    @Scheduled(every = "${mljobs.stats.compact-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> onSchedule() {
        return counts.compact().replaceWithVoid();
    }
}
