package io.mljobs.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * Dependencies run one way (../shared/ARCHITECTURE.md): the ground (db: the timed query path and
 * pools; api: problems, parameters, JSON; migration; config: the one configuration mapping)
 * imports no feature, and config imports none of the others either; features (job, queue,
 * stats, archive) import the ground and, where needed, job's public types, never each other or
 * admin; admin (db-health, explain, health, table gauges) may read every feature. A change that
 * brings a cycle or an upward import back fails here, naming the classes.
 */
class PackageDependenciesTest {

    private static final String[] GROUND = { "io.mljobs.db..", "io.mljobs.api..", "io.mljobs.migration..",
            "io.mljobs.config.." };
    private static final String[] ABOVE_GROUND = { "io.mljobs.job..", "io.mljobs.queue..", "io.mljobs.stats..",
            "io.mljobs.archive..", "io.mljobs.admin..", "io.mljobs.security..", "io.mljobs.dev.." };

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.mljobs");
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.mljobs.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void groundImportsNothingAboveIt() {
        noClasses().that().resideInAnyPackage(GROUND).should().dependOnClassesThat()
                .resideInAnyPackage(ABOVE_GROUND).check(classes);
    }

    @Test
    void apiPlumbingDoesNotKnowTheDatabase() {
        // The database layer tells the API what its failures mean (FailureClassifier), not the reverse.
        noClasses().that().resideInAPackage("io.mljobs.api..").should().dependOnClassesThat()
                .resideInAPackage("io.mljobs.db..").check(classes);
    }

    @Test
    void configIsReadByAllAndReadsNoOne() {
        noClasses().that().resideInAPackage("io.mljobs.config..").should().dependOnClassesThat()
                .resideInAnyPackage(Stream.concat(Stream.of(GROUND), Stream.of(ABOVE_GROUND))
                        .filter(pkg -> !pkg.equals("io.mljobs.config.."))
                        .toArray(String[]::new))
                .check(classes);
    }

    @Test
    void featuresShareOnlyJobsPublicTypes() {
        for (String feature : List.of("job", "queue", "stats", "archive")) {
            List<String> others = List.of("job", "queue", "stats", "archive", "admin").stream()
                    .filter(other -> !other.equals(feature) && !other.equals("job"))
                    .map(other -> "io.mljobs." + other + "..").toList();
            noClasses().that().resideInAPackage("io.mljobs." + feature + "..").should().dependOnClassesThat()
                    .resideInAnyPackage(others.toArray(String[]::new)).check(classes);
        }
    }
}
