package io.mljobs.bench;

import java.time.Instant;
import java.time.OffsetDateTime;

import io.mljobs.db.NamedQuery;
import io.mljobs.job.JobRepository;
import io.mljobs.job.PageRequest;
import io.mljobs.job.Position;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Prints, for {@code bench/run-suite}'s pgbench runs, the statements the service sends with the
 * values it binds written in, taken from {@link JobRepository} so that the benchmark cannot drift
 * from the code. Run with the main and test classes and the packaged jar's libraries on the class
 * path:
 *
 * <pre>
 *   first-page                   the newest-first first page (limit 50)
 *   keyset-page CREATED_AT ID    the same statement continuing after that row
 *   offset-page DEPTH            the naive page: the same rows found with OFFSET
 *   group-by                     the naive stats: count(*) by status
 * </pre>
 */
public final class BenchSql {

    private static final int LIMIT = 50;

    private BenchSql() {
    }

    public static void main(String[] args) {
        System.out.println(switch (args[0]) {
            case "first-page" -> page(null);
            case "keyset-page" -> page(Position.of(Instant.parse(args[1]), Long.parseLong(args[2])));
            case "offset-page" -> "SELECT " + JobRepository.LIST_COLUMNS
                    + " FROM ml_jobs ORDER BY created_at DESC, id DESC OFFSET " + Long.parseLong(args[1])
                    + " LIMIT " + (LIMIT + 1) + ";";
            case "group-by" -> "SELECT status, count(*) FROM ml_jobs GROUP BY status;";
            default -> throw new IllegalArgumentException("unknown statement " + args[0]);
        });
    }

    /** The page the service reads for {@code GET /jobs?limit=50} (with the row that tells has_more). */
    private static String page(Position after) {
        PageRequest request = PageRequest.parse(String.valueOf(LIMIT), null, null, null, null, null, LIMIT);
        NamedQuery query = JobRepository.pageQueryFor(request);
        return bind(query.oneLine(), JobRepository.pageArgs(request, after, LIMIT + 1)) + ";";
    }

    /** Writes each value in place of its {@code $n}, from the highest n down so $1 never eats $10. */
    static String bind(String sql, Tuple args) {
        String bound = sql;
        for (int i = args.size(); i >= 1; i--) {
            bound = bound.replace("$" + i, literal(args.getValue(i - 1)));
        }
        return bound;
    }

    private static String literal(Object value) {
        if (value == null) {
            return "NULL";
        }
        if (value instanceof Number) {
            return value.toString();
        }
        if (value instanceof OffsetDateTime time) {
            return "'" + time.toInstant() + "'";
        }
        return "'" + value.toString().replace("'", "''") + "'";
    }
}
