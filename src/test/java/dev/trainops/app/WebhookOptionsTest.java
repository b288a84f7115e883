package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.app.bench.SelfSignedCert;
import dev.trainops.server.AdmissionHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code serve --webhook-port N --tls-cert FILE --tls-key FILE} (DESIGN.md, "Kubernetes API"): the
 * three go together, each missing one named with what to give; a pair that does not load stops serve
 * before anything listens; the webhook binds {@code --bind}.
 */
class WebhookOptionsTest {
    @TempDir
    Path dir;

    @Test
    void withoutTheOptionsThereIsNoWebhook() {
        assertThat(parse().webhook.options("127.0.0.1")).isEmpty();
    }

    @Test
    void theThreeTogetherServeTheWebhookOnTheBindAddress() throws Exception {
        SelfSignedCert cert = SelfSignedCert.create(dir);
        ServeCommand serve = parse("--bind", "0.0.0.0", "--auth-token-file", "t", "--webhook-port", "8443", "--tls-cert", cert.certFile().toString(),
                "--tls-key", cert.keyFile().toString());
        assertThat(serve.webhook.options(serve.bind)).contains(new AdmissionHttp.Options("0.0.0.0", 8443, cert.certFile(), cert.keyFile()));
    }

    @Test
    void oneWithoutTheOthersSaysWhatToGive() {
        assertThatThrownBy(() -> parse("--tls-cert", "tls.crt").webhook.options("127.0.0.1"))
                .hasMessage("--tls-cert is the admission webhook's; give --webhook-port N with --tls-cert and --tls-key (e.g. --webhook-port "
                        + "8443), or leave it out.");
        assertThatThrownBy(() -> parse("--webhook-port", "8443").webhook.options("127.0.0.1"))
                .hasMessageStartingWith("--webhook-port needs --tls-cert FILE and --tls-key FILE: the API server calls admission webhooks over "
                        + "HTTPS only.");
        assertThatThrownBy(() -> parse("--webhook-port", "8443", "--tls-cert", "tls.crt").webhook.options("127.0.0.1"))
                .hasMessageStartingWith("--webhook-port needs --tls-key FILE:");
        assertThatThrownBy(() -> parse("--webhook-port", "70000", "--tls-cert", "a", "--tls-key", "b").webhook.options("127.0.0.1"))
                .hasMessage("--webhook-port must be between 0 and 65535, was 70000.");
    }

    @Test
    void aPairThatDoesNotLoadStopsServeBeforeAnythingListens() throws Exception {
        Path missing = dir.resolve("missing.crt");
        Files.writeString(dir.resolve("tls.key"), "not a key\n");
        assertThatThrownBy(() -> parse("--webhook-port", "8443", "--tls-cert", missing.toString(), "--tls-key", dir.resolve("tls.key").toString())
                .webhook.options("127.0.0.1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--tls-cert " + missing + " does not exist; give the PEM file, e.g. the mounted Secret's tls.crt.");
        SelfSignedCert cert = SelfSignedCert.create(dir.resolve("pair"));
        assertThatThrownBy(() -> parse("--webhook-port", "8443", "--tls-cert", cert.certFile().toString(), "--tls-key",
                dir.resolve("tls.key").toString()).webhook.options("127.0.0.1")).hasMessageContaining("has no PEM private key");
    }

    @Test
    void serveExitsWith2AndTheMessageOnABadCombination() {
        CommandLine cli = Main.commandLine(new String[] {"serve", "--webhook-port", "8443"});
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        int exit;
        try {
            exit = cli.execute("serve", "--webhook-port", "8443");
        } finally {
            System.setErr(saved);
        }
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("trainops: --webhook-port needs --tls-cert FILE and --tls-key FILE");
    }

    private static ServeCommand parse(String... args) {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(args);
        return serve;
    }
}
