package io.mljobs.job;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import io.mljobs.db.Db;
import io.mljobs.db.NamedQuery;
import io.mljobs.db.QueryOwner;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Owns the SQL of {@code ml_jobs}. Listing is keyset pagination on (created_at, id): each page is
 * one index range scan that starts at the cursor, so page 10,000 costs what page 1 does.
 */
@ApplicationScoped
public class JobRepository implements QueryOwner, KeysetListing {

    /** Every column but input_text, which can be large: what list items and state changes return. */
    public static final String LIST_COLUMNS = "id, job_uuid, status, result_score, result_label, created_at, "
            + "started_at, completed_at, worker_id, heartbeat_at, error";

    public static final String ALL_COLUMNS = LIST_COLUMNS + ", input_text";

    /** The column list with each name qualified by a table alias, for joins and RETURNING. */
    public static String qualified(String alias, String columns) {
        return alias + "." + columns.replace(", ", ", " + alias + ".");
    }

    /** Submitting one job: Hibernate's insert, timed by Db under this name. */
    static final String INSERT = "jobs.insert";

    /** On a read replica if one serves; one that has not replayed the job yet passes the lookup to the primary. */
    static final NamedQuery FIND_BY_UUID = NamedQuery.lookup("jobs.find_by_uuid",
            "SELECT " + ALL_COLUMNS + " FROM ml_jobs WHERE job_uuid = $1");

    static final NamedQuery INSERT_BATCH = NamedQuery.of("jobs.insert_batch", """
            INSERT INTO ml_jobs (job_uuid, input_text)
            SELECT * FROM unnest($1::uuid[], $2::text[])
            """);

    /** A cursor naming a job the replica has not replayed yet is looked up on the primary, not refused. */
    static final NamedQuery FIND_POSITION = NamedQuery.lookup("jobs.find_position", """
            SELECT created_at, id FROM ml_jobs WHERE job_uuid = $1
            """);

    /** Demo and benchmark data: ml_jobs_generate (migration V8) says what it makes. */
    static final NamedQuery GENERATE = NamedQuery.background("jobs.generate", "SELECT ml_jobs_generate($1) AS inserted");

    static final NamedQuery EXISTS_ANY = NamedQuery.of("jobs.exists_any", "SELECT EXISTS (SELECT 1 FROM ml_jobs)");

    /** A page of the largest size plus the one row that tells whether another page follows. */
    static final int MAX_FETCH = PageRequest.MAX_LIMIT + 1;

    /** [by status?][order]: four statements cover every combination of filters, order and cursor. */
    private static final NamedQuery[][] PAGE_QUERIES = pageQueries("jobs.page", "ml_jobs", LIST_COLUMNS);

    private final Db db;

    public JobRepository(Db db) {
        this.db = db;
    }

    @Override
    public List<String> queryNames() {
        Stream<NamedQuery> queries = Stream.concat(Stream.of(FIND_BY_UUID, INSERT_BATCH, FIND_POSITION, GENERATE, EXISTS_ANY),
                Arrays.stream(PAGE_QUERIES).flatMap(Arrays::stream));
        return Stream.concat(Stream.of(INSERT), queries.map(NamedQuery::name)).toList();
    }

    @Override
    public List<String> replicaQueryNames() {
        return Stream.concat(Stream.of(FIND_BY_UUID, FIND_POSITION), Arrays.stream(PAGE_QUERIES).flatMap(Arrays::stream))
                .filter(query -> query.route().mayUseReplica()).map(NamedQuery::name).toList();
    }

    public Uni<Job> insert(Job job) {
        return db.timed(INSERT, () -> Panache.withTransaction(job::persist).replaceWith(job));
    }

    /** Inserts all jobs in one statement (one transaction): all or nothing. */
    public Uni<Integer> insertBatch(UUID[] jobUuids, String[] inputTexts) {
        return db.query(INSERT_BATCH, Tuple.of(jobUuids, inputTexts)).map(RowSet::rowCount);
    }

    public Uni<Optional<JobView>> findByUuid(UUID jobUuid) {
        return db.query(FIND_BY_UUID, Tuple.of(jobUuid))
                .map(rows -> Db.firstRow(rows).map(JobView.reader(rows)));
    }

    @Override
    public Uni<Optional<Position>> findPosition(UUID jobUuid) {
        return db.query(FIND_POSITION, Tuple.of(jobUuid))
                .map(rows -> Db.firstRow(rows).map(row -> Position.of(
                        row.getOffsetDateTime("created_at").toInstant(), row.getLong("id"))));
    }

    @Override
    public Uni<List<JobView>> findPage(PageRequest request, Position continueFrom, int fetch) {
        return findPage(db, PAGE_QUERIES, request, continueFrom, fetch);
    }

    /** A page of any table that {@link #pageQueries} made statements for. */
    public static Uni<List<JobView>> findPage(Db db, NamedQuery[][] queries, PageRequest request, Position continueFrom,
            int fetch) {
        if (fetch > MAX_FETCH) {
            throw new IllegalArgumentException("fetch " + fetch + " exceeds the statements' bound " + MAX_FETCH);
        }
        return db.query(pageQueryFor(queries, request), pageArgs(request, continueFrom, fetch))
                .map(rows -> Db.mapRows(rows, JobView.reader(rows)));
    }

    public Uni<Boolean> isEmpty() {
        return db.query(EXISTS_ANY, Tuple.tuple()).map(rows -> !rows.iterator().next().getBoolean(0));
    }

    public Uni<Long> generate(int count) {
        return db.query(GENERATE, Tuple.of(count)).map(rows -> rows.iterator().next().getLong("inserted"));
    }

    public static NamedQuery pageQueryFor(PageRequest request) {
        return pageQueryFor(PAGE_QUERIES, request);
    }

    public static NamedQuery pageQueryFor(NamedQuery[][] queries, PageRequest request) {
        return queries[request.status() == null ? 0 : 1][request.order().ordinal()];
    }

    /**
     * The four page statements of a table with ml_jobs' listing indexes, (created_at, id) and (status, created_at,
     * id), named {@code prefix[.by_status].asc|desc}: ml_jobs' own and the archive's.
     */
    public static NamedQuery[][] pageQueries(String prefix, String table, String columns) {
        return new NamedQuery[][] {
                { pageQuery(prefix, table, columns, false, SortOrder.ASC),
                        pageQuery(prefix, table, columns, false, SortOrder.DESC) },
                { pageQuery(prefix, table, columns, true, SortOrder.ASC),
                        pageQuery(prefix, table, columns, true, SortOrder.DESC) },
        };
    }

    /** Bounds absent from the request are passed as nulls, which the SQL widens to ±infinity. */
    public static Tuple pageArgs(PageRequest request, Position continueFrom, int fetch) {
        Position lower = request.lowerBound(continueFrom);
        Position upper = request.upperBound(continueFrom);
        List<Object> args = new ArrayList<>(Arrays.asList(
                lower == null ? null : lower.createdAt(), lower == null ? null : lower.id(),
                upper == null ? null : upper.createdAt(), upper == null ? null : upper.id(),
                fetch));
        if (request.status() != null) {
            args.add(request.status().value());
        }
        return Tuple.from(args);
    }

    /**
     * A page may come from a read replica, up to mljobs.db.replica.max-lag behind the primary.
     *
     * <p>
     * With a status, the status is the leading key of both row comparisons rather than a separate
     * equality: that pins the plan to the (status, created_at, id) index. Given {@code status = $6}
     * PostgreSQL may instead walk the created_at index and filter, which its statistics rate cheaper
     * for a common status, but which reads every newer row of other statuses first (the newest jobs
     * of a queue are mostly pending), so a page would cost more the further it is from the data.
     *
     * <p>
     * The inner LIMIT is a constant, the most a page ever fetches; the requested {@code LIMIT $5}
     * applies outside it and stops the scan as early. A plan made without the values (the generic
     * plan a cached statement switches to) estimates a parameter LIMIT at 10% of the table, so it
     * never looked cheap enough to replace re-planning on every call, and at 10M rows its estimate
     * passed jit_above_cost. With a constant bound it is the same index range scan, costed as one
     * page, and PostgreSQL keeps it after five executions.
     */
    private static NamedQuery pageQuery(String prefix, String table, String columns, boolean byStatus, SortOrder order) {
        String direction = order == SortOrder.ASC ? "ASC" : "DESC";
        String name = prefix + (byStatus ? ".by_status." : ".") + order.value();
        String keys = byStatus ? "status, created_at, id" : "created_at, id";
        String status = byStatus ? "$6, " : "";
        String orderBy = (byStatus ? "status " + direction + ", " : "") + "created_at " + direction + ", id " + direction;
        return NamedQuery.read(name, """
                SELECT * FROM (
                    SELECT %1$s
                      FROM %6$s
                     WHERE (%2$s) > (%3$sCOALESCE($1::timestamptz, '-infinity'), COALESCE($2::bigint, 0))
                       AND (%2$s) < (%3$sCOALESCE($3::timestamptz, 'infinity'), COALESCE($4::bigint, 0))
                     ORDER BY %4$s
                     LIMIT %5$d
                ) page
                 ORDER BY %4$s
                 LIMIT $5
                """.formatted(columns, keys, status, orderBy, MAX_FETCH, table));
    }
}
