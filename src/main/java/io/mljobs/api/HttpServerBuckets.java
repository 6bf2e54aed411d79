package io.mljobs.api;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * Gives the HTTP server timer histogram buckets, so that latency percentiles per endpoint can be
 * computed (and summed across replicas) in Prometheus; without them it is a plain summary.
 */
public class HttpServerBuckets {

    private static final double[] BUCKETS_MS = { 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000 };

    @Produces
    @Singleton
    MeterFilter httpServerRequestBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals("http.server.requests")) {
                    return config;
                }
                double[] nanos = new double[BUCKETS_MS.length];
                for (int i = 0; i < BUCKETS_MS.length; i++) {
                    nanos[i] = BUCKETS_MS[i] * 1_000_000;
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
            }
        };
    }
}
