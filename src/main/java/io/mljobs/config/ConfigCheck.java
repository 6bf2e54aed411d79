package io.mljobs.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.Config;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.MemorySize;

/**
 * Refuses to start on a value that cannot work (an empty pool, a zero batch), naming the key,
 * rather than failing later with a message about something else. Also refuses a Quarkus key set
 * apart from the {@code mljobs} key it is set from: the pool and the admission in front of it, or
 * Quarkus' 413 and the service's own, would then disagree.
 */
@ApplicationScoped
public class ConfigCheck {

    private final MlJobsConfig mljobs;
    private final Config config;

    public ConfigCheck(MlJobsConfig mljobs, Config config) {
        this.mljobs = mljobs;
        this.config = config;
    }

    // Before the service's own start-up observers, so that none of them works from a refused value.
    // Quarkus builds its datasource earlier and refuses a pool of 0 itself.
    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        List<String> refused = new ArrayList<>(refusals(mljobs));
        refused.addAll(setApart(mljobs, config));
        if (!refused.isEmpty()) {
            throw new IllegalStateException("refusing to start: " + String.join("; ", refused));
        }
    }

    static List<String> refusals(MlJobsConfig c) {
        List<String> refused = new ArrayList<>();
        atLeast(refused, "mljobs.db.pool.admitted-per-connection", c.db().pool().admittedPerConnection(), 1);
        atLeast(refused, "mljobs.db.pool.max-wait-queue-size", c.db().pool().maxWaitQueueSize(), 0);
        c.db().pool().readsMaxSize().ifPresent(reads -> {
            atLeast(refused, "mljobs.db.pool.reads-max-size", reads, 1);
            if (reads > c.db().pool().maxSize()) {
                refused.add("mljobs.db.pool.reads-max-size (MLJOBS_DB_POOL_READS_MAX_SIZE) is " + reads
                        + ", more than the pool's " + c.db().pool().maxSize() + " connections");
            }
        });
        atLeast(refused, "mljobs.db.background.pool-size", c.db().background().poolSize(), 1);
        atLeast(refused, "mljobs.jobs.max-input-length", c.jobs().maxInputLength(), 1);
        atLeast(refused, "mljobs.jobs.default-page-size", c.jobs().defaultPageSize(), 1);
        atLeast(refused, "mljobs.archive.days-old", c.archive().daysOld(), 1);
        atLeast(refused, "mljobs.archive.batch-size", c.archive().batchSize(), 1);
        atLeast(refused, "mljobs.archive.retention-days", c.archive().retentionDays(), 0);
        atLeast(refused, "mljobs.security.login-throttle.max-failures", c.security().loginThrottle().maxFailures(), 1);
        atLeast(refused, "mljobs.security.login-throttle.max-addresses", c.security().loginThrottle().maxAddresses(),
                1);
        positive(refused, "mljobs.security.login-throttle.window", c.security().loginThrottle().window());
        positive(refused, "mljobs.queue.lease", c.queue().lease());
        positive(refused, "mljobs.http.idle-timeout", c.http().idleTimeout());
        atLeast(refused, "mljobs.queue.max-waiting-claims", c.queue().maxWaitingClaims(), 1);
        atLeast(refused, "mljobs.db.replica.pool-size", c.db().replica().poolSize(), 1);
        positive(refused, "mljobs.db.replica.max-lag", c.db().replica().maxLag());
        positive(refused, "mljobs.db.failover.check-every", c.db().failover().checkEvery());
        positive(refused, "mljobs.db.failover.check-timeout", c.db().failover().checkTimeout());
        DatabaseUrls.problem(c.db().url()).ifPresent(problem -> refused.add("mljobs.db.url (MLJOBS_DB_URL): " + problem));
        replicaUrls(refused, c);
        return refused;
    }

    /**
     * Each must name a database; none may be the primary or be listed twice (its reads would count double). A host of
     * a multi-host primary URL may be one: a standby that serves reads until it is promoted (then it is skipped, as
     * pg_is_in_recovery() is false).
     */
    private static void replicaUrls(List<String> refused, MlJobsConfig c) {
        String key = "mljobs.db.replica.urls (MLJOBS_DB_REPLICA_URLS): ";
        List<String> seen = new ArrayList<>();
        List<String> primaries = DatabaseUrls.hosts(c.db().url());
        for (String url : DatabaseUrls.replicas(c)) {
            DatabaseUrls.problem(url).ifPresentOrElse(problem -> refused.add(key + problem), () -> {
                if (primaries.size() == 1 && primaries.contains(url)) {
                    refused.add(key + "'" + DatabaseUrls.withoutPassword(url) + "' is the primary (mljobs.db.url)");
                } else if (seen.contains(url)) {
                    refused.add(key + "'" + DatabaseUrls.withoutPassword(url) + "' is listed twice");
                }
            });
            seen.add(url);
        }
    }

    static List<String> setApart(MlJobsConfig c, Config config) {
        List<String> refused = new ArrayList<>();
        same(refused, "quarkus.datasource.reactive.max-size", "mljobs.db.pool.max-size",
                config.getOptionalValue("quarkus.datasource.reactive.max-size", Integer.class),
                Optional.of(c.db().pool().maxSize()));
        same(refused, "quarkus.http.limits.max-body-size", "mljobs.http.max-body-size",
                config.getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class)
                        .map(MemorySize::asLongValue),
                Optional.of(c.http().maxBodySize().asLongValue()));
        same(refused, "quarkus.datasource.username", "mljobs.db.user",
                config.getOptionalValue("quarkus.datasource.username", String.class), Optional.of(c.db().user()));
        same(refused, "quarkus.datasource.password", "mljobs.db.password",
                config.getOptionalValue("quarkus.datasource.password", String.class), c.db().password());
        same(refused, "quarkus.http.idle-timeout", "mljobs.http.idle-timeout",
                config.getOptionalValue("quarkus.http.idle-timeout", Duration.class), Optional.of(c.http().idleTimeout()));
        return refused;
    }

    private static void atLeast(List<String> refused, String key, long value, long min) {
        if (value < min) {
            refused.add(key + " is " + value + ", less than " + min);
        }
    }

    private static void positive(List<String> refused, String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            refused.add(key + " is " + value + ", not positive");
        }
    }

    // Names the keys only: one of them may be a password.
    private static void same(List<String> refused, String quarkusKey, String mljobsKey, Optional<?> quarkusValue,
            Optional<?> mljobsValue) {
        if (!quarkusValue.equals(mljobsValue)) {
            refused.add(quarkusKey + " is set apart from " + mljobsKey + ", which it takes its value from: set only "
                    + mljobsKey + " (or its environment variable)");
        }
    }
}
