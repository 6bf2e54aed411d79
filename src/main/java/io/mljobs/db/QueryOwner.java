package io.mljobs.db;

import java.util.Arrays;
import java.util.List;

/**
 * A bean that runs queries through {@link Db}: it names every query it may run, so that Db exports their series
 * from start-up, at 0, instead of when each first happens (a rate() or an errors panel needs the series before the
 * first error). Each repository lists its {@link NamedQuery} constants, the names it builds from a fixed set, and
 * the names it times with {@link Db#timed}.
 */
public interface QueryOwner {

    /** Every query it may run on the primary (a read a replica may answer falls back to the primary too). */
    List<String> queryNames();

    /** The queries it may run on a read replica: their series exist for each configured replica. */
    default List<String> replicaQueryNames() {
        return List.of();
    }

    /** The queries it runs on each host of a multi-host mljobs.db.url: their series exist for each host then. */
    default List<String> hostQueryNames() {
        return List.of();
    }

    static List<String> names(NamedQuery... queries) {
        return Arrays.stream(queries).map(NamedQuery::name).toList();
    }

    /** The names of those among {@code queries} that a read replica may answer. */
    static List<String> replicaNames(NamedQuery... queries) {
        return Arrays.stream(queries).filter(query -> query.route().mayUseReplica()).map(NamedQuery::name).toList();
    }
}
