package io.mljobs.api;

import java.util.List;
import java.util.Set;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Keeps the labels of the http.server.* meters bounded whatever clients send: any method outside
 * the standard ones is counted as OTHER (Vert.x accepts any token as a method). Unmatched paths are
 * collapsed by quarkus.micrometer.binder.http-server.suppress4xx-errors; see application.properties.
 */
public class HttpMetricLabels {

    static final Set<String> STANDARD_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
            "TRACE", "CONNECT");

    @Produces
    @Singleton
    MeterFilter boundedHttpMethods() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String method = id.getTag("method");
                if (!id.getName().startsWith("http.server") || method == null || STANDARD_METHODS.contains(method)) {
                    return id;
                }
                List<Tag> tags = id.getTags().stream()
                        .map(tag -> tag.getKey().equals("method") ? Tag.of("method", "OTHER") : tag)
                        .toList();
                return id.replaceTags(tags);
            }
        };
    }
}
