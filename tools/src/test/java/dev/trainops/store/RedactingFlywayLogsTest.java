package dev.trainops.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.flywaydb.core.api.logging.Log;
import org.junit.jupiter.api.Test;

/** Flyway's log lines at every level reach SLF4J with the JDBC URL replaced by its description. */
class RedactingFlywayLogsTest {
    static final String URL = "jdbc:postgresql://db:5432/trainops?password=s3cret";

    @Test
    void everyLevelIsRedacted() {
        Log log = new RedactingFlywayLogs().createLogger(RedactingFlywayLogsTest.class);
        PrintStream before = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8)); // slf4j-simple writes to the System.err of the moment
        try {
            log.info("info " + URL);
            log.notice("notice " + URL);
            log.warn("warn " + URL);
            log.error("error " + URL);
            log.error("failed", new IllegalStateException("cannot reach " + URL));
        } finally {
            System.setErr(before);
        }
        String out = err.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("s3cret").doesNotContain("jdbc:")
                .contains("INFO").contains("info the PostgreSQL store at db:5432/trainops")
                .contains("notice the PostgreSQL store at db:5432/trainops")
                .contains("WARN").contains("warn the PostgreSQL store at db:5432/trainops")
                .contains("ERROR").contains("error the PostgreSQL store at db:5432/trainops")
                .contains("failed: cannot reach the PostgreSQL store at db:5432/trainops");
    }
}
