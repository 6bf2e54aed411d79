package io.mljobs.dev;

import java.time.Duration;

import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.mljobs.config.MlJobsConfig;
import io.mljobs.job.JobRepository;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/** In dev mode, fills an empty job table so that the API has something to page through. */
@IfBuildProfile("dev")
public class DemoData {

    private static final Logger LOG = Logger.getLogger(DemoData.class);

    private final JobRepository jobs;
    private final int count;

    public DemoData(JobRepository jobs, MlJobsConfig config) {
        this.jobs = jobs;
        this.count = config.demo().jobs();
    }

    void load(@Observes StartupEvent event) {
        if (count <= 0) {
            return;
        }
        // Startup observers run on the main thread, never on an event loop: waiting here is safe.
        jobs.isEmpty()
                .chain(empty -> empty ? jobs.generate(count) : Uni.createFrom().item(0L))
                .invoke(loaded -> LOG.infof(loaded > 0 ? "loaded %d demo jobs" : "jobs present, no demo data loaded",
                        loaded))
                .await().atMost(Duration.ofMinutes(5));
    }
}
