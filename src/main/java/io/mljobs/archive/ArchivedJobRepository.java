package io.mljobs.archive;

import static io.mljobs.job.JobRepository.ALL_COLUMNS;
import static io.mljobs.job.JobRepository.LIST_COLUMNS;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import io.mljobs.db.Db;
import io.mljobs.db.NamedQuery;
import io.mljobs.db.QueryOwner;
import io.mljobs.job.ArchivedJobs;
import io.mljobs.job.JobRepository;
import io.mljobs.job.JobView;
import io.mljobs.job.KeysetListing;
import io.mljobs.job.PageRequest;
import io.mljobs.job.Position;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Owns the SQL that reads archived jobs: the lookup {@code GET /jobs/{job_uuid}} falls back to, and the keyset
 * pages of {@code GET /archive/jobs}. Every partition has the indexes these read (V13), so a lookup is one index
 * probe per partition and a page one index range scan per partition, merged in order.
 */
@ApplicationScoped
public class ArchivedJobRepository implements QueryOwner, ArchivedJobs, KeysetListing {

    /**
     * The archive is partitioned by archived_at, which a lookup by job_uuid does not know: it probes the
     * (job_uuid, archived_at) index of every partition, a few dozen at most (retention in months, plus the
     * months made ahead). LIMIT 1: a job is archived once, so the first match is the only one. On a replica
     * like the live lookup; a miss is asked again of the primary.
     */
    static final NamedQuery FIND_BY_UUID = NamedQuery.lookup("archive.find_by_uuid",
            "SELECT " + ALL_COLUMNS + ", archived_at FROM ml_jobs_archive WHERE job_uuid = $1 LIMIT 1");

    static final NamedQuery FIND_POSITION = NamedQuery.lookup("archive.find_position",
            "SELECT created_at, id FROM ml_jobs_archive WHERE job_uuid = $1 LIMIT 1");

    /**
     * GET /jobs' statements on the archive, in the same (created_at, id) order: each partition's index is
     * range-scanned from the cursor and the scans are merged (Merge Append), so a page reads about one page
     * of rows from each partition, at any depth, and sorts nothing. Pages come from a replica if one serves.
     */
    static final NamedQuery[][] PAGE_QUERIES = JobRepository.pageQueries("archive.page", "ml_jobs_archive",
            LIST_COLUMNS + ", archived_at");

    private final Db db;

    public ArchivedJobRepository(Db db) {
        this.db = db;
    }

    @Override
    public List<String> queryNames() {
        return allQueries().map(NamedQuery::name).toList();
    }

    @Override
    public List<String> replicaQueryNames() {
        return allQueries().filter(query -> query.route().mayUseReplica()).map(NamedQuery::name).toList();
    }

    private static Stream<NamedQuery> allQueries() {
        return Stream.concat(Stream.of(FIND_BY_UUID, FIND_POSITION), Arrays.stream(PAGE_QUERIES).flatMap(Arrays::stream));
    }

    @Override
    public Uni<Optional<JobView>> findByUuid(UUID jobUuid) {
        return db.query(FIND_BY_UUID, Tuple.of(jobUuid)).map(rows -> Db.firstRow(rows).map(JobView.reader(rows)));
    }

    @Override
    public Uni<Optional<Position>> findPosition(UUID jobUuid) {
        return db.query(FIND_POSITION, Tuple.of(jobUuid)).map(rows -> Db.firstRow(rows).map(row -> Position.of(
                row.getOffsetDateTime("created_at").toInstant(), row.getLong("id"))));
    }

    @Override
    public Uni<List<JobView>> findPage(PageRequest request, Position continueFrom, int fetch) {
        return JobRepository.findPage(db, PAGE_QUERIES, request, continueFrom, fetch);
    }

    public static NamedQuery pageQueryFor(PageRequest request) {
        return JobRepository.pageQueryFor(PAGE_QUERIES, request);
    }
}
