package dev.trainops.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** The test-only key pairs of src/test/resources/tls (a: RSA PKCS#8, b: RSA PKCS#1, c: EC SEC1) and a client that trusts them. */
final class TestTls {
    private TestTls() {
    }

    /** Copies pair {@code name} to {@code dir}/tls.crt and tls.key, as a mounted Secret shows it. */
    static void install(String name, Path dir) throws IOException {
        copy(name + ".crt", dir.resolve("tls.crt"));
        copy(name + ".key", dir.resolve("tls.key"));
    }

    static void copy(String resource, Path to) throws IOException {
        try (InputStream in = TestTls.class.getResourceAsStream("/tls/" + resource)) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A TLS client context that trusts the three test certificates and nothing else. */
    static SSLContext client() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        for (String name : new String[] {"a", "b", "c"}) {
            try (InputStream in = TestTls.class.getResourceAsStream("/tls/" + name + ".crt")) {
                trust.setCertificateEntry(name, x509.generateCertificate(in));
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** The common name of the certificate a new TLS connection to the port is served. */
    static String servedName(int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) client().getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }
}
