package dev.trainops.app;

import dev.trainops.server.AdmissionHttp;
import dev.trainops.server.PemKeyStore;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code serve --webhook-port N --tls-cert FILE --tls-key FILE}: the validating admission webhook at
 * /admission/validate over HTTPS (docs/kubernetes.md, "The admission webhook"). The three go
 * together: the API server calls a webhook over HTTPS only.
 */
final class WebhookOptions {
    @Option(names = "--webhook-port", paramLabel = "N", description = "Also serve the validating admission webhook at /admission/validate "
            + "over HTTPS on this port (on --bind), with --tls-cert and --tls-key; 0 picks a free one. In a cluster: "
            + "deploy/components/webhook.")
    Integer port;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "The webhook's PEM certificate chain (cert-manager's tls.crt); "
            + "read again when it changes.")
    Path certFile;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The webhook's PEM private key (tls.key: PKCS#8, PKCS#1 or SEC1, unencrypted).")
    Path keyFile;

    /**
     * The webhook's listener on {@code bind}, or empty without {@code --webhook-port}. One option
     * without the others, a port out of range, or a key pair that does not load is an
     * IllegalArgumentException that says what to give (serve exits 2 before anything starts).
     */
    Optional<AdmissionHttp.Options> options(String bind) {
        if (port == null) {
            if (certFile != null || keyFile != null) {
                throw new IllegalArgumentException((certFile != null ? "--tls-cert" : "--tls-key") + " is the admission webhook's; give "
                        + "--webhook-port N with --tls-cert and --tls-key (e.g. --webhook-port 8443), or leave it out.");
            }
            return Optional.empty();
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--webhook-port must be between 0 and 65535, was " + port + ".");
        }
        if (certFile == null || keyFile == null) {
            throw new IllegalArgumentException("--webhook-port needs " + (certFile == null && keyFile == null ? "--tls-cert FILE and --tls-key FILE"
                    : certFile == null ? "--tls-cert FILE" : "--tls-key FILE") + ": the API server calls admission webhooks over HTTPS "
                    + "only. cert-manager writes both into a Secret, which deploy/components/webhook mounts; locally, openssl req -x509 "
                    + "-newkey rsa:2048 -nodes -keyout tls.key -out tls.crt -subj /CN=localhost -days 30 makes a pair.");
        }
        PemKeyStore.load(certFile, keyFile); // a pair that does not load stops serve now, not when the API server calls
        return Optional.of(new AdmissionHttp.Options(bind, port, certFile, keyFile));
    }
}
