package dev.schemachange;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.schemachange.engine.ChangePlan;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.CrashPoints;
import dev.schemachange.engine.Migrator;
import dev.schemachange.engine.Progress;
import dev.schemachange.engine.Wait;
import dev.schemachange.engine.check.SpecValidation;
import dev.schemachange.engine.db.ConnectionFactory;
import dev.schemachange.engine.db.JdbcConnections;
import dev.schemachange.engine.swap.SwapWindow;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The layering docs/architecture.md describes, checked on the bytecode: a new dependency that
 * crosses a layer fails here, not in a review.
 */
class ArchitectureTest {
    private static final JavaClasses MAIN =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("dev.schemachange");

    /**
     * What the operator and the CLI may use of the engine; everything else is the engine's own
     * business.
     */
    private static final Set<Class<?>> ENGINE_API =
            Set.of(
                    Migrator.class,
                    Progress.class,
                    ChangePlan.class,
                    Wait.class,
                    Controls.class,
                    CrashPoints.class,
                    ConnectionFactory.class,
                    JdbcConnections.class,
                    SpecValidation.class,
                    SwapWindow.class);

    @Test
    void theEngineKnowsNothingOfKubernetesTheOperatorOrTheCli() {
        noClasses()
                .that()
                .resideInAPackage("dev.schemachange.engine..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.fabric8..",
                        "io.javaoperatorsdk..",
                        "dev.schemachange.operator..",
                        "dev.schemachange.cli..",
                        "dev.schemachange.local..")
                .check(MAIN);
    }

    @Test
    void theCrdTypesAndTheSqlDialectDependOnNoLayerAboveThem() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.schemachange.api..", "dev.schemachange.mysql..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.schemachange.engine..",
                        "dev.schemachange.operator..",
                        "dev.schemachange.cli..")
                .check(MAIN);
    }

    @Test
    void theOperatorAndTheCliUseOnlyTheEnginesPublicSurface() {
        classes()
                .that()
                .resideOutsideOfPackage("dev.schemachange.engine..")
                .should()
                .onlyDependOnClassesThat(
                        DescribedPredicate.not(
                                insideTheEngine().and(DescribedPredicate.not(partOfTheApi()))))
                .check(MAIN);
    }

    @Test
    void sessionsAndTheStateRowAreTheBottomOfTheEngine() {
        reachesOnly("dev.schemachange.engine.db..", "dev.schemachange.engine.db..");
        reachesOnly(
                "dev.schemachange.engine.state..",
                "dev.schemachange.engine.state..",
                "dev.schemachange.engine.db..");
    }

    @Test
    void phasesDoNotReachBackIntoTheMigratorThatDrivesThem() {
        noClasses()
                .that()
                .resideInAPackage("dev.schemachange.engine.(*)..")
                .should()
                .dependOnClassesThat()
                .belongToAnyOf(Migrator.class, Progress.class)
                .check(MAIN);
    }

    private static void reachesOnly(String layer, String... allowed) {
        noClasses()
                .that()
                .resideInAPackage(layer)
                .should()
                .dependOnClassesThat(
                        insideTheEngine()
                                .and(
                                        DescribedPredicate.not(
                                                JavaClass.Predicates.resideInAnyPackage(allowed))))
                .check(MAIN);
    }

    private static DescribedPredicate<JavaClass> insideTheEngine() {
        return JavaClass.Predicates.resideInAPackage("dev.schemachange.engine..");
    }

    private static DescribedPredicate<JavaClass> partOfTheApi() {
        return DescribedPredicate.describe(
                "the engine's public surface",
                c ->
                        ENGINE_API.stream()
                                .anyMatch(
                                        api ->
                                                c.isEquivalentTo(api)
                                                        || c.getName()
                                                                .startsWith(api.getName() + "$")));
    }
}
