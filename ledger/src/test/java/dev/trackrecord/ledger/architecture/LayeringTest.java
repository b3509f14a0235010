package dev.trackrecord.ledger.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DESIGN.md: inside ledger only the storage package imports EclipseStore; nothing imports Helidon or Kafka. */
class LayeringTest {
    private static JavaClasses ledger;

    @BeforeAll
    static void importClasses() {
        ledger = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.trackrecord.ledger");
    }

    @Test
    void onlyStorePackage_usesEclipseStore() {
        noClasses().that().resideOutsideOfPackage("dev.trackrecord.ledger.store..")
                .should().dependOnClassesThat().resideInAnyPackage("org.eclipse.store..", "org.eclipse.serializer..")
                .because("storage is an adapter at the edge; the domain core runs without a disk")
                .check(ledger);
    }

    @Test
    void ledger_usesNeitherHelidonNorKafka() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.helidon..", "org.apache.kafka..")
                .because("the ledger is plain Java that a test can drive without a server")
                .check(ledger);
    }

    @Test
    void domainCore_doesNotDependOnStorage() {
        noClasses().that().resideInAnyPackage("dev.trackrecord.ledger.json..", "dev.trackrecord.ledger.entry..",
                        "dev.trackrecord.ledger.merkle..", "dev.trackrecord.ledger.note..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.trackrecord.ledger.store..")
                .check(ledger);
    }
}
