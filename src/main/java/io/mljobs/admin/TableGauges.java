package io.mljobs.admin;

import java.util.List;
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

    /** A column of {@link DbHealthRepository#tables()} and the gauge it feeds. */
    private record Column(String column, String meter, String help) {
    }

    private static final List<Column> GAUGES = List.of(
            new Column("total_bytes", "mljobs.table.size.bytes", "Bytes on disk of the table with its indexes and TOAST"),
            new Column("row_estimate", "mljobs.table.rows.estimate",
                    "Rows in the table as the planner estimates them (before the first ANALYZE: the live rows counted)"),
            new Column("dead_tuples", "mljobs.table.dead.tuples", "Dead row versions in the table, waiting for vacuum"));

    private final DbHealthRepository health;
    private final MeterRegistry registry;
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

    public TableGauges(DbHealthRepository health, MeterRegistry registry) {
        this.health = health;
        this.registry = registry;
    }

    @Scheduled(every = "${mljobs.db.table-gauges-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    public Uni<Void> refresh() {
        return health.tables().invoke(tables -> tables.forEach(table -> GAUGES.forEach(gauge -> {
            Object value = table.get(gauge.column());
            if (value instanceof Number number) {
                value(gauge, (String) table.get("table_name")).set(number.longValue());
            }
        }))).replaceWithVoid();
    }

    private AtomicLong value(Column gauge, String table) {
        return values.computeIfAbsent(gauge.meter() + '|' + table, key -> {
            // Micrometer keeps the first gauge registered under a name and tags, bound to its object.
            // A registry that outlives this bean (tests restart the application on a shared one)
            // would keep reading the old object: replace the gauge rather than be ignored.
            Gauge stale = registry.find(gauge.meter()).tag("table", table).gauge();
            if (stale != null) {
                registry.remove(stale);
            }
            AtomicLong holder = new AtomicLong();
            Gauge.builder(gauge.meter(), holder, AtomicLong::get).description(gauge.help()).tag("table", table)
                    .strongReference(true).register(registry);
            return holder;
        });
    }
}
