package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve}'s authentication options are checked before anything starts, with what to fix. */
class ServeAuthOptionsTest {
    @TempDir
    Path dir;

    String refused(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new ServeCommand()).execute(args)).isEqualTo(2);
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aBadTokenFileLineStopsTheStartNamingTheFileAndLine() throws Exception {
        Path tokens = dir.resolve("tokens.txt");
        Files.writeString(tokens, "# team a\nsecret-token-0123456789 subject=alice role=owner teams=team-a\n");
        assertThat(refused("--transport", "http", "--auth-token-file", tokens.toString(), "--sandbox"))
                .contains("trainops: --auth-token-file " + tokens + " line 2: role must be viewer, member or admin, was 'owner'.")
                .doesNotContain("secret-token");
    }

    @Test
    void beyondLoopbackWithoutATokenFileOrAnIssuerIsRefused() {
        assertThat(refused("--transport", "http", "--bind", "0.0.0.0", "--sandbox"))
                .contains("Refusing to bind 0.0.0.0 without authentication").contains("--auth-token-file FILE or --oidc-issuer URL");
    }

    @Test
    void anIssuerWithoutAnAudienceIsRefused() {
        assertThat(refused("--transport", "http", "--oidc-issuer", "https://idp.example.com/realms/main", "--sandbox"))
                .contains("--oidc-audience is required with --oidc-issuer");
    }
}
