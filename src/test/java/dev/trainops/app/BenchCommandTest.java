package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code trainops bench}'s options for issue 17 item 7: a wrong value is refused before anything runs, naming its flag. */
class BenchCommandTest {

    @Test
    void aWrongHttpLoadOrEndToEndValueIsRefusedNamingItsFlag() {
        assertThat(refused("--http-rate", "-1")).contains("--http-rate must be between 0 (skips the HTTP load) and 10000 calls a second, got -1");
        assertThat(refused("--http-rate", "20000")).contains("--http-rate must be between 0 (skips the HTTP load) and 10000 calls a second, "
                + "got 20000");
        assertThat(refused("--http-seconds", "0")).contains("--http-seconds must be between 1 and 3600, got 0");
        assertThat(refused("--e2e-jobs", "-5")).contains("--e2e-jobs must be at least 0 (0 skips the end-to-end measure), got -5");
    }

    @Test
    void aPostgresUrlGivenMustBePostgresAndAnswerAndItsPasswordIsNeverShown() {
        assertThat(refused("--postgres-url", "jdbc:mysql://db/x?password=s3cret"))
                .contains("--postgres-url must be a jdbc:postgresql: URL (or none); it is jdbc:mysql://db/x").doesNotContain("s3cret");
        assertThat(refused("--postgres-url", "jdbc:postgresql://127.0.0.1:1/nothing?password=s3cret"))
                .contains("--postgres-url jdbc:postgresql://127.0.0.1:1/nothing does not answer: ", "or pass --postgres-url none")
                .doesNotContain("s3cret");
    }

    /** What bench said on stderr, having exited 2. */
    private static String refused(String... options) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            String[] args = new String[options.length + 1];
            args[0] = "bench";
            System.arraycopy(options, 0, args, 1, options.length);
            assertThat(Main.commandLine(args).execute(args)).as(String.join(" ", args)).isEqualTo(2);
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}
