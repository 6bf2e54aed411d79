package io.mljobs.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;

/**
 * Every {@code mljobs.*} key, read in this one place. The values, and the environment variable
 * behind each, are in application.properties; README's configuration table lists the same keys
 * (ConfigurationTableTest compares the three). Quarkus keys the code needs (pool size, body limit,
 * database credentials) are set from an {@code mljobs} key here, never the other way round, and
 * {@link ConfigCheck} refuses to start when they were set apart.
 */
@ConfigMapping(prefix = "mljobs")
public interface MlJobsConfig {

    Http http();

    Jobs jobs();

    Queue queue();

    Stats stats();

    Archive archive();

    Security security();

    Db db();

    Health health();

    Demo demo();

    interface Http {
        /** Also quarkus.http.limits.max-body-size. */
        MemorySize maxBodySize();

        MemorySize bodyBudget();

        int maxUriLength();

        int maxHeaderSize();

        /** Also quarkus.http.idle-timeout. */
        Duration idleTimeout();
    }

    interface Jobs {
        int maxInputLength();

        int defaultPageSize();
    }

    interface Queue {
        Duration lease();

        int maxWaitingClaims();

        /** How often a claim reads the queue from its head, for jobs below the claim floor. */
        Duration claimSweepEvery();

        /** A scheduler expression, read by @Scheduled itself. */
        String reapEvery();
    }

    interface Stats {
        /** A scheduler expression, read by @Scheduled itself. */
        String compactEvery();
    }

    interface Archive {
        /** A Quartz-style cron or "off", read by @Scheduled itself. */
        String cron();

        int daysOld();

        int batchSize();

        int parallelism();

        Duration syncWait();

        int retentionDays();

        long analyzeAfterRows();

        /** Months of archive partitions made ahead of the current one. */
        int partitionsAhead();

        /** A scheduler expression, read by @Scheduled itself. */
        String partitionsEvery();
    }

    interface Security {
        boolean jobsApi();

        LoginThrottle loginThrottle();

        interface LoginThrottle {
            int maxFailures();

            Duration window();

            int maxAddresses();
        }
    }

    interface Db {
        /** One host, or several (libpq's multi-host form): then the pools follow whichever is the primary. */
        String url();

        /** Also quarkus.datasource.username. */
        String user();

        /** Also quarkus.datasource.password. */
        Optional<String> password();

        Duration statementTimeout();

        Duration lockTimeout();

        Duration idleInTransactionTimeout();

        Duration connectTimeout();

        Duration slowQueryThreshold();

        Duration longQueryThreshold();

        Duration overloadLogEvery();

        /** A scheduler expression, read by @Scheduled itself. */
        String tableGaugesEvery();

        Pool pool();

        Background background();

        Replica replica();

        Failover failover();

        interface Pool {
            /** Also quarkus.datasource.reactive.max-size. */
            int maxSize();

            int admittedPerConnection();

            /**
             * Connections that reads a replica could answer (listings, stats, lookups) may hold at once on the
             * primary; absent: half of max-size. The rest stay free for submissions, claims and reports.
             */
            OptionalInt readsMaxSize();

            /** readsMaxSize, or half of the pool when it is not set. */
            default int readsMaxSizeOrDefault() {
                return readsMaxSize().orElse(Math.max(1, maxSize() / 2));
            }

            int maxWaitQueueSize();

            Duration connectionTimeout();
        }

        interface Background {
            int poolSize();

            Duration statementTimeout();

            Duration lockTimeout();
        }

        /** Streaming standbys of the primary that serve reads which may be a little stale. */
        interface Replica {
            /** postgresql://host:port/database URLs; absent (the default): no replicas, every query on the primary. */
            Optional<List<String>> urls();

            /** A replica further behind than this serves no reads until it catches up. */
            Duration maxLag();

            int poolSize();
        }

        /** Finding the primary among the hosts of a multi-host url; unused with one host. */
        interface Failover {
            /** How often every host is asked whether it is the primary. */
            Duration checkEvery();

            /** A host that has not answered within this is not the primary for that round. */
            Duration checkTimeout();
        }
    }

    interface Health {
        Duration pingTimeout();

        Duration stallNotReadyAfter();

        Duration stallNotLiveAfter();
    }

    interface Demo {
        int jobs();
    }
}
