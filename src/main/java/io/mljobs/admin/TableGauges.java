package io.mljobs.admin;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Table sizes, row estimates and dead tuples as Prometheus gauges ({@code mljobs_table_*}),
 * refreshed from the statistics views once a minute rather than on every scrape.
 */
@ApplicationScoped
public class TableGauges {

    private static final Map<String, String> GAUGES = Map.of(
            "total_bytes", "mljobs.table.size.bytes",
            "row_estimate", "mljobs.table.rows.estimate",
            "dead_tuples", "mljobs.table.dead.tuples");

    private final DbHealthRepository health;
    private final MeterRegistry registry;
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

    public TableGauges(DbHealthRepository health, MeterRegistry registry) {
        this.health = health;
        this.registry = registry;
    }

    @Scheduled(every = "${mljobs.db.table-gauges-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    public Uni<Void> refresh() {
        return health.tables().invoke(tables -> tables.forEach(table -> GAUGES.forEach((column, meter) -> {
            Object value = table.get(column);
            if (value instanceof Number number) {
                value(meter, (String) table.get("table_name")).set(number.longValue());
            }
        }))).replaceWithVoid();
    }

    private AtomicLong value(String meter, String table) {
        return values.computeIfAbsent(meter + '|' + table, key -> {
            // Micrometer keeps the first gauge registered under a name and tags, bound to its object.
            // A registry that outlives this bean (tests restart the application on a shared one)
            // would keep reading the old object: replace the gauge rather than be ignored.
            Gauge stale = registry.find(meter).tag("table", table).gauge();
            if (stale != null) {
                registry.remove(stale);
            }
            AtomicLong holder = new AtomicLong();
            Gauge.builder(meter, holder, AtomicLong::get).tag("table", table).strongReference(true).register(registry);
            return holder;
        });
    }
}
