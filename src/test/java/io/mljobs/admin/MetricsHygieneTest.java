package io.mljobs.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import io.mljobs.db.NamedQuery;
import io.mljobs.db.QueryOwner;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What a scrape of a freshly started service shows: HELP and TYPE for every family of the service's own, every
 * series a declared query can have (at 0 until it happens), one set of pool metrics, no negative row estimate.
 * Writes the text to target/metrics.txt, which deploy/check lints with promtool.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "metrics"))
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsHygieneTest {

    /** Run by nothing at start-up, on a schedule, or in this test. */
    private static final String NEVER_RUN = "archive.purge_batch";

    private static final List<String> SAMPLE_SUFFIXES = List.of("", "_total", "_bucket", "_count", "_sum", "_created");

    @Inject
    Instance<QueryOwner> owners;

    @Inject
    TableGauges tableGauges;

    private List<String> lines;

    /** Once, before the first test: RestAssured knows the service's port only from then on. */
    @BeforeEach
    void scrapeAfterStart() throws IOException {
        if (lines != null) {
            return;
        }
        // The table gauges are first read by a scheduled job that starts with the service: read them once now.
        tableGauges.refresh().await().atMost(Waits.BOUND);
        // The Prometheus text format (0.0.4), which promtool reads; without the Accept header the answer is OpenMetrics.
        String text = given().accept("text/plain").get("/q/metrics").then().statusCode(200)
                .contentType(startsWith("text/plain"))
                .extract().asString();
        Files.writeString(Path.of("target", "metrics.txt"), text);
        lines = text.lines().toList();
    }

    @Test
    void everyServiceFamilyHasHelpAndType() {
        Map<String, String> help = comments("# HELP ");
        Map<String, String> types = comments("# TYPE ");
        Set<String> families = new TreeSet<>();
        for (String sample : sampleNames()) {
            if (sample.startsWith("mljobs_")) {
                String family = SAMPLE_SUFFIXES.stream().filter(sample::endsWith)
                        .map(suffix -> sample.substring(0, sample.length() - suffix.length()))
                        .filter(types::containsKey).findFirst()
                        .orElseThrow(() -> new AssertionError("no TYPE for " + sample));
                families.add(family);
            }
        }
        for (String family : families) {
            assertFalse(help.getOrDefault(family, "").isBlank(), "HELP of " + family);
        }
        for (String family : List.of("mljobs_db_query_seconds", "mljobs_db_slow_queries_total", "mljobs_db_conflicts_total",
                "mljobs_db_pool_in_use", "mljobs_table_rows_estimate", "mljobs_table_size_bytes", "mljobs_table_dead_tuples",
                "mljobs_archive_run_seconds", "mljobs_archive_rows_total")) {
            assertTrue(families.contains(family), family + " in " + families);
        }
    }

    @Test
    void aQueryNeverRunHasEverySeriesAtZero() {
        assertEquals(0.0, sample("mljobs_db_slow_queries_total{query=\"" + NEVER_RUN + "\"}"));
        assertEquals(0.0, sample("mljobs_db_conflicts_total{query=\"" + NEVER_RUN + "\"}"));
        assertEquals(0.0, sample("mljobs_db_query_seconds_count{outcome=\"error\",query=\"" + NEVER_RUN
                + "\",server=\"primary\"}"));
        assertEquals(0.0, sample("mljobs_db_query_seconds_count{outcome=\"success\",query=\"" + NEVER_RUN
                + "\",server=\"primary\"}"));
        assertEquals(0.0, sample("mljobs_archive_run_seconds_count{outcome=\"failed\"}"));
        assertEquals(0.0, sample("mljobs_archive_run_seconds_count{outcome=\"succeeded\"}"));
    }

    @Test
    void everyDeclaredQueryHasItsSeriesFromStartUp() {
        Set<String> declared = new TreeSet<>();
        owners.forEach(owner -> declared.addAll(owner.queryNames()));
        for (String name : declared) {
            for (String series : List.of(
                    "mljobs_db_query_seconds_count{outcome=\"error\",query=\"" + name + "\",server=\"primary\"}",
                    "mljobs_db_slow_queries_total{query=\"" + name + "\"}",
                    "mljobs_db_conflicts_total{query=\"" + name + "\"}")) {
                assertNotNull(sampleOrNull(series), series);
            }
        }
        Set<String> undeclared = namedQueryConstants();
        undeclared.removeAll(declared);
        owners.forEach(owner -> undeclared.removeAll(owner.replicaQueryNames()));
        owners.forEach(owner -> undeclared.removeAll(owner.hostQueryNames()));
        assertEquals(Set.of(), undeclared, "NamedQuery constants missing from their owner's queryNames()");
        assertTrue(declared.containsAll(List.of("jobs.insert", "explain.deep_page")), declared.toString());
    }

    @Test
    void withoutReplicasNoSeriesNamesOne() {
        assertEquals(List.of(), lines.stream().filter(l -> !l.startsWith("#") && l.contains("replica-")).toList());
        assertEquals(List.of(), lines.stream().filter(l -> l.startsWith("mljobs_db_query_seconds")
                && !l.contains("server=\"primary\"")).toList());
    }

    @Test
    void onePoolMetricSet() {
        assertNotNull(sampleOrNull("sql_pool_active{pool_name=\"api\",pool_type=\"sql\"}"), "the API pool's own metrics");
        assertNotNull(sampleOrNull("sql_pool_active{pool_name=\"background\",pool_type=\"sql\"}"), "the background pool's");
        assertNotNull(sampleOrNull("mljobs_db_pool_in_use{pool=\"api\"}"), "admission in front of it");
        assertEquals(List.of(), lines.stream().filter(l -> l.startsWith("postgresql_") || l.contains("clientType")).toList(),
                "no per-connection SQL client metrics");
    }

    @Test
    void rowEstimatesAreNeverNegative() {
        for (String table : List.of("ml_jobs", "ml_jobs_archive")) {
            double estimate = sample("mljobs_table_rows_estimate{table=\"" + table + "\"}");
            assertTrue(estimate >= 0, table + ": " + estimate);
        }
    }

    /** The names of every NamedQuery held in a static field (or array of them) of a main class. */
    private static Set<String> namedQueryConstants() {
        Set<String> names = new TreeSet<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        for (JavaClass javaClass : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.mljobs")) {
            boolean holdsQueries = javaClass.getFields().stream()
                    .anyMatch(f -> f.getRawType().getBaseComponentType().isEquivalentTo(NamedQuery.class));
            if (!holdsQueries) {
                continue;
            }
            try {
                for (Field field : Class.forName(javaClass.getName(), true, loader).getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers())) {
                        field.setAccessible(true);
                        flatten(field.get(null)).forEach(query -> names.add(query.name()));
                    }
                }
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(javaClass.getName(), e);
            }
        }
        return names;
    }

    private static Stream<NamedQuery> flatten(Object value) {
        if (value instanceof NamedQuery query) {
            return Stream.of(query);
        }
        if (value != null && value.getClass().isArray() && !value.getClass().getComponentType().isPrimitive()) {
            return Stream.iterate(0, i -> i < Array.getLength(value), i -> i + 1).flatMap(i -> flatten(Array.get(value, i)));
        }
        return Stream.empty();
    }

    /** "# HELP name text" (or TYPE) lines: name to text. */
    private Map<String, String> comments(String prefix) {
        Map<String, String> byName = new HashMap<>();
        lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .forEach(rest -> {
                    int space = rest.indexOf(' ');
                    byName.put(space < 0 ? rest : rest.substring(0, space), space < 0 ? "" : rest.substring(space + 1));
                });
        return byName;
    }

    private Set<String> sampleNames() {
        Set<String> names = new TreeSet<>();
        lines.stream().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .forEach(l -> names.add(l.substring(0, l.indexOf(l.contains("{") ? '{' : ' '))));
        return names;
    }

    private double sample(String series) {
        Double value = sampleOrNull(series);
        assertNotNull(value, "no sample " + series);
        return value;
    }

    private Double sampleOrNull(String series) {
        // The text format ends each label list with a comma: {query="a",}.
        return lines.stream().map(l -> l.replace(",} ", "} ")).filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).split(" ")[0])).orElse(null);
    }
}
