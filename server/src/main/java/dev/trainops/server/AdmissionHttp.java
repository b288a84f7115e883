package dev.trainops.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --webhook-port}: the validating admission webhook at {@link #PATH} over HTTPS, on its own
 * port and Jetty, with the key and certificate of {@code --tls-key} and {@code --tls-cert}
 * (docs/kubernetes.md, "The admission webhook"). The API server authenticates trainops by that
 * certificate (the caBundle cert-manager injects); it sends no bearer token, so this port takes none.
 * The files are checked every {@link #RELOAD_EVERY} and a renewed pair is served from the next
 * connection on, with no restart.
 */
public final class AdmissionHttp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdmissionHttp.class);
    public static final String PATH = "/admission/validate";
    /** How often the PEM files are read for a renewed certificate (cert-manager renews well ahead of expiry). */
    public static final Duration RELOAD_EVERY = Duration.ofSeconds(30);

    /**
     * @param bind     the address to bind ({@code --bind}; in a cluster 0.0.0.0, so the API server reaches it)
     * @param port     {@code --webhook-port}; 0 picks a free one
     * @param certFile {@code --tls-cert}: the PEM certificate chain
     * @param keyFile  {@code --tls-key}: its PEM private key
     */
    public record Options(String bind, int port, Path certFile, Path keyFile) {
        public Options {
            Objects.requireNonNull(bind, "bind must not be null");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--webhook-port must be between 0 and 65535, was " + port + ".");
            }
            Objects.requireNonNull(certFile, "--tls-cert must be given with --webhook-port");
            Objects.requireNonNull(keyFile, "--tls-key must be given with --webhook-port");
        }
    }

    private final Options options;
    private final Server jetty;
    private final ServerConnector connector;
    private final SslContextFactory.Server ssl;
    private final ScheduledExecutorService reloads;
    private volatile PemKeyStore served;

    /** Reads the key pair now: a bad file is an IllegalArgumentException naming it, before anything listens. */
    public AdmissionHttp(Options options, AdmissionPolicy policy) {
        this.options = options;
        this.served = PemKeyStore.load(options.certFile(), options.keyFile());
        QueuedThreadPool threads = new QueuedThreadPool(32, 4);
        threads.setName("admission-https");
        threads.setDaemon(true);
        this.jetty = new Server(threads);
        this.ssl = new SslContextFactory.Server();
        ssl.setKeyStore(served.keyStore());
        ssl.setKeyStorePassword(new String(served.password()));
        HttpConfiguration https = new HttpConfiguration();
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // the API server checks the certificate against the Service's name; whatever name a client used is not ours to refuse
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);
        https.setSendServerVersion(false);
        this.connector = new ServerConnector(jetty, new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(https));
        connector.setHost(options.bind());
        connector.setPort(options.port());
        HttpLimits.DEFAULTS.harden(connector);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder("admission", new AdmissionServlet(policy)), PATH);
        jetty.setHandler(context);
        this.reloads = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "admission-tls-reload");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts listening and the reload checks; returns the bound port. */
    public int start() throws Exception {
        jetty.start();
        long every = RELOAD_EVERY.toMillis();
        reloads.scheduleWithFixedDelay(this::reloadQuietly, every, every, TimeUnit.MILLISECONDS);
        return connector.getLocalPort();
    }

    /**
     * Reads the PEM files; when they changed and load, new connections get the new pair. True when
     * it changed; a pair that does not load keeps the one served and is an IllegalArgumentException.
     */
    public boolean reloadIfChanged() throws Exception {
        PemKeyStore next = served.changed();
        if (next == null) {
            return false;
        }
        ssl.reload(f -> {
            f.setKeyStore(next.keyStore());
            f.setKeyStorePassword(new String(next.password()));
        });
        served = next;
        log.info("admission webhook: serving the renewed certificate {} (valid until {})",
                next.certificate().getSubjectX500Principal().getName(), next.certificate().getNotAfter().toInstant());
        return true;
    }

    private void reloadQuietly() {
        try {
            reloadIfChanged();
        } catch (IllegalArgumentException e) {
            log.warn("admission webhook: keeping the certificate in use: {}", e.getMessage());
        } catch (Exception e) {
            log.warn("admission webhook: keeping the certificate in use; the new one did not load: {}", e.getMessage());
        }
    }

    /** The certificate served now. */
    public java.security.cert.X509Certificate certificate() {
        return served.certificate();
    }

    public Options options() {
        return options;
    }

    @Override
    public void close() throws Exception {
        reloads.shutdownNow();
        jetty.stop();
    }
}
