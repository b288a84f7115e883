package dev.trainops.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The webhook's TLS from PEM files (docs/kubernetes.md, "The admission webhook"): the key forms
 * cert-manager and openssl write load, a wrong pair is refused with both files named, and a renewed
 * pair (the kubelet swaps the Secret's files in place) is served from the next connection on while a
 * broken one leaves the served certificate in place.
 */
class WebhookTlsTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "pair {0}")
    @ValueSource(strings = {"a", "b", "c"})
    void pkcs8Pkcs1AndSec1KeysLoadWithTheirCertificates(String pair) throws Exception {
        TestTls.install(pair, dir);
        PemKeyStore pem = PemKeyStore.load(dir.resolve("tls.crt"), dir.resolve("tls.key"));
        assertThat(pem.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=trainops-webhook-" + pair);
        assertThat(pem.keyStore().getKey(PemKeyStore.ALIAS, pem.password())).isNotNull();
        assertThat(pem.changed()).as("the files did not change").isNull();
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() throws Exception {
        TestTls.copy("a.crt", dir.resolve("tls.crt"));
        TestTls.copy("b.key", dir.resolve("tls.key"));
        assertThatThrownBy(() -> PemKeyStore.load(dir.resolve("tls.crt"), dir.resolve("tls.key")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--tls-key " + dir.resolve("tls.key") + " is not the key of the certificate in --tls-cert "
                        + dir.resolve("tls.crt"));
    }

    @Test
    void aMissingFileOrOneWithoutPemSaysWhichAndWhat() throws Exception {
        TestTls.install("a", dir);
        assertThatThrownBy(() -> PemKeyStore.load(dir.resolve("nope.crt"), dir.resolve("tls.key")))
                .hasMessage("--tls-cert " + dir.resolve("nope.crt") + " does not exist; give the PEM file, e.g. the mounted Secret's tls.crt.");
        Files.writeString(dir.resolve("empty.key"), "not a key\n");
        assertThatThrownBy(() -> PemKeyStore.load(dir.resolve("tls.crt"), dir.resolve("empty.key")))
                .hasMessageContaining("has no PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)");
        Files.writeString(dir.resolve("enc.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemKeyStore.load(dir.resolve("tls.crt"), dir.resolve("enc.key"))).hasMessageContaining("is encrypted");
        assertThatThrownBy(() -> PemKeyStore.load(dir.resolve("tls.key"), dir.resolve("tls.key")))
                .hasMessageContaining("has no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }

    @Test
    void aRenewedPairIsServedFromTheNextConnectionWithoutARestart() throws Exception {
        TestTls.install("a", dir);
        try (AdmissionHttp http = new AdmissionHttp(new AdmissionHttp.Options("127.0.0.1", 0, dir.resolve("tls.crt"), dir.resolve("tls.key")),
                r -> new AdmissionResponse())) {
            int port = http.start();
            assertThat(TestTls.servedName(port)).isEqualTo("CN=trainops-webhook-a");
            assertThat(http.reloadIfChanged()).as("nothing changed yet").isFalse();

            TestTls.install("b", dir);
            assertThat(http.reloadIfChanged()).isTrue();
            assertThat(TestTls.servedName(port)).isEqualTo("CN=trainops-webhook-b");
            assertThat(http.reloadIfChanged()).as("the same files again").isFalse();
        }
    }

    @Test
    void aHalfWrittenRenewalKeepsTheServedCertificate() throws Exception {
        TestTls.install("a", dir);
        try (AdmissionHttp http = new AdmissionHttp(new AdmissionHttp.Options("127.0.0.1", 0, dir.resolve("tls.crt"), dir.resolve("tls.key")),
                r -> new AdmissionResponse())) {
            int port = http.start();
            TestTls.copy("c.crt", dir.resolve("tls.crt")); // the new certificate, the old key still there
            assertThatThrownBy(http::reloadIfChanged).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not the key of");
            assertThat(TestTls.servedName(port)).isEqualTo("CN=trainops-webhook-a");
            TestTls.copy("c.key", dir.resolve("tls.key")); // the key arrives: the next check serves the pair
            assertThat(http.reloadIfChanged()).isTrue();
            assertThat(TestTls.servedName(port)).isEqualTo("CN=trainops-webhook-c");
        }
    }

    @Test
    void aBadFileAtStartIsRefusedBeforeAnythingListens() throws Exception {
        TestTls.copy("a.crt", dir.resolve("tls.crt"));
        TestTls.copy("b.key", dir.resolve("tls.key"));
        assertThatThrownBy(() -> new AdmissionHttp(new AdmissionHttp.Options("127.0.0.1", 0, dir.resolve("tls.crt"), dir.resolve("tls.key")),
                r -> new AdmissionResponse())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not the key of");
    }
}
