package io.tokenrouter;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages' layout as the README and each {@code package-info} describe it, checked on the compiled
 * classes: no cycle between packages, each layer used only by the layers above it, and the wire types free
 * of the servlet container. A new import that breaks one of these fails the build, naming the classes.
 */
class ArchitectureTest {

    private static final String ROOT = "io.tokenrouter";
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    }

    private static String pkg(String name) {
        return ROOT + "." + name + "..";
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void layersAreUsedOnlyFromAbove() {
        layeredArchitecture().consideringOnlyDependenciesInAnyPackage(ROOT + "..")
                .layer("Boot").definedBy(pkg("boot"))
                .layer("Toro").definedBy(pkg("toro"))
                .layer("Surfaces").definedBy(pkg("proxy"), pkg("console"), pkg("management"))
                .layer("Web").definedBy(pkg("web"))
                .layer("Services").definedBy(pkg("access"), pkg("sso"), pkg("quota"), pkg("usage"), pkg("observe"), pkg("provider"),
                        pkg("routing"), pkg("runtime"), pkg("events"), pkg("lifecycle"))
                .layer("Foundation").definedBy(pkg("store"), pkg("upstream"), pkg("translate"), pkg("config"), pkg("api"))
                .whereLayer("Boot").mayNotBeAccessedByAnyLayer()
                .whereLayer("Toro").mayNotBeAccessedByAnyLayer()
                .whereLayer("Surfaces").mayOnlyBeAccessedByLayers("Boot")
                .whereLayer("Web").mayOnlyBeAccessedByLayers("Boot", "Surfaces")
                .whereLayer("Services").mayOnlyBeAccessedByLayers("Boot", "Surfaces", "Web")
                .whereLayer("Foundation").mayOnlyBeAccessedByLayers("Boot", "Toro", "Surfaces", "Web", "Services")
                .check(classes);
    }

    /** The three surfaces stand side by side: the console and the management API use services, never the proxy. */
    @Test
    void theSurfacesDoNotUseEachOther() {
        noClasses().that().resideInAnyPackage(pkg("console"), pkg("management")).should().dependOnClassesThat()
                .resideInAPackage(pkg("proxy")).check(classes);
        noClasses().that().resideInAPackage(pkg("proxy")).should().dependOnClassesThat()
                .resideInAnyPackage(pkg("console"), pkg("management")).check(classes);
        noClasses().that().resideInAPackage(pkg("console")).should().dependOnClassesThat()
                .resideInAPackage(pkg("management")).check(classes);
        noClasses().that().resideInAPackage(pkg("management")).should().dependOnClassesThat()
                .resideInAPackage(pkg("console")).check(classes);
    }

    /**
     * Within the foundation: the wire types and the settings stand alone, the store reads settings, upstream calls
     * read both, and the translation between the two APIs sees only the wire types and what upstream reads.
     */
    @Test
    void theFoundationDependsOnlyDownwards() {
        noClasses().that().resideInAPackage(pkg("api")).should().dependOnClassesThat()
                .resideInAnyPackage(pkg("config"), pkg("store"), pkg("upstream")).check(classes);
        noClasses().that().resideInAPackage(pkg("config")).should().dependOnClassesThat()
                .resideInAnyPackage(pkg("api"), pkg("store"), pkg("upstream")).check(classes);
        noClasses().that().resideInAPackage(pkg("store")).should().dependOnClassesThat()
                .resideInAnyPackage(pkg("api"), pkg("upstream")).check(classes);
        noClasses().that().resideInAPackage(pkg("upstream")).should().dependOnClassesThat()
                .resideInAnyPackage(pkg("store"), pkg("translate")).check(classes);
        noClasses().that().resideInAPackage(pkg("translate")).should().dependOnClassesThat()
                .resideInAnyPackage(pkg("store"), pkg("config")).check(classes);
    }

    @Test
    void theWireTypesKnowNothingOfTheServletContainer() {
        noClasses().that().resideInAPackage(pkg("api")).should().dependOnClassesThat()
                .resideInAPackage("jakarta.servlet..").check(classes);
    }

    @Test
    void toroUsesNoneOfTheGatewayButItsDurations() {
        noClasses().that().resideInAPackage(pkg("toro")).should().dependOnClassesThat()
                .resideInAnyPackage(pkg("api"), pkg("store"), pkg("upstream")).check(classes);
    }
}
