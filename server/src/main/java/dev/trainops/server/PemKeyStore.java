package dev.trainops.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admission webhook's TLS key and certificate chain, read from PEM files as cert-manager
 * writes them into a Secret ({@code tls.crt}: the certificate, then its chain; {@code tls.key}:
 * the key, PKCS#8 or PKCS#1, RSA or EC) into an in-memory {@link KeyStore} for Jetty. cert-manager
 * renews the certificate before it expires and the kubelet swaps the files in place, so the pair is
 * read again when their contents change ({@link #changed()}); a pair that does not load (half
 * written, a key that does not match the certificate) leaves the one in use in place.
 */
public final class PemKeyStore {
    /** The key's alias in the store. */
    static final String ALIAS = "webhook";
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** The DER of rsaEncryption's AlgorithmIdentifier: SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
            0x01, 0x01, 0x05, 0x00};
    /** The DER of the OID id-ecPublicKey, 1.2.840.10045.2.1. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private final Path certFile;
    private final Path keyFile;
    private final char[] password;
    private final KeyStore keyStore;
    private final X509Certificate leaf;
    private final byte[] digest;

    private PemKeyStore(Path certFile, Path keyFile, char[] password, KeyStore keyStore, X509Certificate leaf, byte[] digest) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.password = password;
        this.keyStore = keyStore;
        this.leaf = leaf;
        this.digest = digest;
    }

    /**
     * Reads the pair. An unreadable file, a file with no PEM certificate or key, an encrypted key or a key
     * that does not match the certificate is an IllegalArgumentException that names the file and the fix.
     */
    public static PemKeyStore load(Path certFile, Path keyFile) {
        byte[] cert = read(certFile, "--tls-cert");
        byte[] key = read(keyFile, "--tls-key");
        List<X509Certificate> chain = certificates(certFile, cert);
        PrivateKey privateKey = privateKey(keyFile, key);
        if (!matches(privateKey, chain.get(0))) {
            throw new IllegalArgumentException("--tls-key " + keyFile + " is not the key of the certificate in --tls-cert " + certFile
                    + " (" + chain.get(0).getSubjectX500Principal().getName() + "); give the key and certificate of one pair, e.g. tls.key "
                    + "and tls.crt of the same Secret.");
        }
        char[] password = new char[24];
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < password.length; i++) {
            password[i] = (char) ('a' + random.nextInt(26));
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, privateKey, password, chain.toArray(new Certificate[0]));
            return new PemKeyStore(certFile, keyFile, password, store, chain.get(0), digest(cert, key));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("Cannot hold the key of --tls-key " + keyFile + " in a key store: " + e.getMessage() + ".");
        }
    }

    /** The pair in the files now, when their contents differ from this one's; null when they are the same. */
    public PemKeyStore changed() {
        byte[] now = digest(read(certFile, "--tls-cert"), read(keyFile, "--tls-key"));
        return MessageDigest.isEqual(now, digest) ? null : load(certFile, keyFile);
    }

    public KeyStore keyStore() {
        return keyStore;
    }

    /** The in-memory store's password (random per load; the store never leaves the process). */
    public char[] password() {
        return password.clone();
    }

    /** The certificate served (the first of the chain). */
    public X509Certificate certificate() {
        return leaf;
    }

    private static byte[] read(Path file, String option) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "does not exist"
                    : e instanceof java.nio.file.AccessDeniedException ? "is not readable by this user" : "cannot be read";
            throw new IllegalArgumentException(option + " " + file + " " + why + "; give the PEM file, e.g. the mounted Secret's "
                    + (option.equals("--tls-cert") ? "tls.crt" : "tls.key") + ".");
        }
    }

    private static List<X509Certificate> certificates(Path file, byte[] pem) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(pem)) {
                if (b.type().equals("CERTIFICATE")) {
                    chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--tls-cert " + file + " holds a certificate that does not parse; give the PEM certificate "
                    + "chain (-----BEGIN CERTIFICATE-----), e.g. the Secret's tls.crt.");
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("--tls-cert " + file + " has no PEM certificate (-----BEGIN CERTIFICATE-----); give the "
                    + "certificate chain, e.g. the Secret's tls.crt.");
        }
        return chain;
    }

    private static PrivateKey privateKey(Path file, byte[] pem) {
        for (Block b : blocks(pem)) {
            byte[] pkcs8 = switch (b.type()) {
                case "PRIVATE KEY" -> b.der();
                case "RSA PRIVATE KEY" -> sequence(integer0(), RSA_ALGORITHM, octets(b.der()));
                case "EC PRIVATE KEY" -> ecToPkcs8(file, b.der());
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException("--tls-key " + file + " is encrypted; give the key "
                        + "unencrypted (cert-manager writes it so), e.g. openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + ".");
                default -> null;
            };
            if (pkcs8 == null) {
                continue;
            }
            for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException | ClassCastException e) {
                    // not this algorithm; the next one
                }
            }
            throw new IllegalArgumentException("--tls-key " + file + " holds a " + b.type() + " that is not an RSA, EC or EdDSA key "
                    + "Java can read; give the key cert-manager wrote (tls.key).");
        }
        throw new IllegalArgumentException("--tls-key " + file + " has no PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA "
                + "PRIVATE KEY-----); give the key, e.g. the Secret's tls.key.");
    }

    /**
     * A SEC1 "EC PRIVATE KEY" (what {@code openssl ecparam -genkey} writes) as PKCS#8: the curve's
     * OID moves from the key's own parameters ([0]) into the algorithm identifier.
     */
    private static byte[] ecToPkcs8(Path file, byte[] sec1) {
        Der outer = Der.at(sec1, 0);
        int i = outer.contentStart();
        while (i < outer.end()) {
            Der field = Der.at(sec1, i);
            if ((sec1[i] & 0xff) == 0xa0) {
                Der oid = Der.at(sec1, field.contentStart());
                byte[] curve = java.util.Arrays.copyOfRange(sec1, field.contentStart(), oid.end());
                return sequence(integer0(), sequence(EC_PUBLIC_KEY, curve), octets(sec1));
            }
            i = field.end();
        }
        throw new IllegalArgumentException("--tls-key " + file + " is an EC key without its curve; write it as PKCS#8: openssl pkcs8 "
                + "-topk8 -nocrypt -in " + file.getFileName() + ".");
    }

    /** Whether the certificate's public key verifies what the private key signs. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = "trainops admission webhook".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] digest(byte[] cert, byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(cert);
            sha.update((byte) 0);
            sha.update(key);
            return sha.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java", e);
        }
    }

    private record Block(String type, byte[] der) {
    }

    private static List<Block> blocks(byte[] pem) {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        while (m.find()) {
            out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2).replaceAll("\\s", ""))));
        }
        return out;
    }

    /** A DER element at {@code start}: where its content starts and where it ends. */
    private record Der(int contentStart, int end) {
        static Der at(byte[] der, int start) {
            if (start + 1 >= der.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            int first = der[start + 1] & 0xff;
            if (first < 0x80) {
                return new Der(start + 2, start + 2 + first);
            }
            int n = first & 0x7f;
            int length = 0;
            for (int k = 0; k < n; k++) {
                length = (length << 8) | (der[start + 2 + k] & 0xff);
            }
            return new Der(start + 2 + n, start + 2 + n + length);
        }
    }

    private static byte[] integer0() {
        return new byte[] {0x02, 0x01, 0x00};
    }

    private static byte[] octets(byte[] content) {
        return tagged(0x04, content);
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            body.writeBytes(p);
        }
        return tagged(0x30, body.toByteArray());
    }

    private static byte[] tagged(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int k = bytes - 1; k >= 0; k--) {
                out.write((n >> (8 * k)) & 0xff);
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
