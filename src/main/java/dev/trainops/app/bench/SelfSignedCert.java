package dev.trainops.app.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway self-signed key pair for {@code localhost} and 127.0.0.1, as PEM files the webhook
 * reads ({@code --tls-cert}, {@code --tls-key}), made with the JDK's own keytool (no extra library):
 * for the webhook benchmark and tests, never for a cluster (cert-manager issues that one).
 *
 * @param certFile the PEM certificate
 * @param keyFile  its PEM private key (PKCS#8)
 */
public record SelfSignedCert(Path certFile, Path keyFile, X509Certificate certificate) {
    private static final String PASSWORD = "trainops-bench";

    /** Writes tls.crt and tls.key into {@code dir}, valid for a day. */
    public static SelfSignedCert create(Path dir) throws IOException, GeneralSecurityException, InterruptedException {
        Files.createDirectories(dir);
        Path store = dir.resolve("webhook.p12");
        Files.deleteIfExists(store);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", "webhook", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool could not make a key pair: " + output.strip());
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        X509Certificate cert = (X509Certificate) ks.getCertificate("webhook");
        PrivateKey key = (PrivateKey) ks.getKey("webhook", PASSWORD.toCharArray());
        Path certFile = dir.resolve("tls.crt");
        Path keyFile = dir.resolve("tls.key");
        Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
        Files.delete(store);
        return new SelfSignedCert(certFile, keyFile, cert);
    }

    /** A TLS client context that trusts this certificate only. */
    public SSLContext trustingIt() throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("webhook", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
