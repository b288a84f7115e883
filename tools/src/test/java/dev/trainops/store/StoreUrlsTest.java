package dev.trainops.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StoreUrlsTest {
    @Test
    void aPostgresUrlIsDescribedByHostPortAndDatabaseOnly() {
        assertThat(StoreUrls.describe("jdbc:postgresql://db.internal:5432/trainops?user=ops&password=s3cret&ssl=true"))
                .isEqualTo("the PostgreSQL store at db.internal:5432/trainops");
    }

    @Test
    void aUserAndPasswordInTheAuthorityAreDropped() {
        assertThat(StoreUrls.describe("jdbc:postgresql://ops:s3cret@db.internal/trainops"))
                .isEqualTo("the PostgreSQL store at db.internal/trainops");
    }

    @Test
    void severalHostsAreAllNamed() {
        assertThat(StoreUrls.describe("jdbc:postgresql://a:5432,b:5433/trainops?targetServerType=primary"))
                .isEqualTo("the PostgreSQL store at a:5432,b:5433/trainops");
    }

    @Test
    void aSqliteUrlIsDescribedByItsFile() {
        assertThat(StoreUrls.describe("jdbc:sqlite:/var/lib/trainops/trainops.db?journal_mode=WAL"))
                .isEqualTo("the SQLite store at /var/lib/trainops/trainops.db");
    }

    @Test
    void everyUrlInALogLineIsReplacedByItsDescription() {
        assertThat(StoreUrls.redactUrls("Database: jdbc:postgresql://127.0.0.1:5432/test?password=s3cret (PostgreSQL 16.4)"))
                .isEqualTo("Database: the PostgreSQL store at 127.0.0.1:5432/test (PostgreSQL 16.4)");
    }

    @Test
    void aPasswordAndAQuotedUserInADriverMessageAreMasked() {
        Redactor r = new Redactor("jdbc:postgresql://h:5432/db?password=from-url", "ops", "from-argument");
        assertThat(r.redact("FATAL: password authentication failed for user \"ops\" (from-argument, from-url)"))
                .isEqualTo("FATAL: password authentication failed for user \"****\" (****, ****)");
    }

    @Test
    void theSchemeOfAnUnknownUrlIsAllThatIsRepeated() {
        assertThat(StoreUrls.scheme("jdbc:mysql://h/db?password=x")).isEqualTo("'jdbc:mysql:'");
        assertThat(StoreUrls.scheme("postgres://h/db")).isEqualTo("'postgres:'");
        assertThat(StoreUrls.scheme("//h/db")).isEqualTo("no scheme");
    }
}
