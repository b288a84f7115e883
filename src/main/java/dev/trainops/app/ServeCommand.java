package dev.trainops.app;

import dev.trainops.server.Authenticator;
import dev.trainops.server.HttpOptions;
import dev.trainops.server.MonitoringHttp;
import dev.trainops.server.HttpTransport;
import dev.trainops.server.JobEventNotifier;
import dev.trainops.server.TrainopsMcpServer;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trainops serve}: the MCP server over stdio (default) or Streamable HTTP. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve the trainops tools over MCP.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    enum Transport { stdio, http }

    @Option(names = "--transport", defaultValue = "stdio", description = "stdio (for Claude Desktop/Code) or http (Streamable HTTP at /mcp). Default: ${DEFAULT-VALUE}.")
    Transport transport;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "HTTP bind address (default: ${DEFAULT-VALUE}). Any other than loopback "
            + "needs --auth-token-file or --oidc-issuer.")
    String bind;

    @Mixin
    AuthOptions auth;

    @Option(names = "--public-url", paramLabel = "URL", description = "The MCP endpoint's public URL (e.g. https://trainops.example.com/mcp) for the "
            + "OAuth protected-resource metadata; default: from each request's scheme and Host.")
    java.net.URI publicUrl;

    @Option(names = "--allowed-origin", paramLabel = "ORIGIN", description = "Extra browser Origin allowed on /mcp (repeatable), e.g. https://console.example.com.")
    List<String> allowedOrigins = new ArrayList<>();

    @Option(names = "--metrics-port", paramLabel = "N", description = "Also serve /metrics (Prometheus) and /alerts/webhook (Alertmanager) on this port, "
            + "on --bind with the same authentication as /mcp; for stdio, where there is no HTTP port. 0 picks a free one.")
    Integer metricsPort;

    @Mixin
    BackendOptions backend;

    @Mixin
    KubeImpersonationOptions impersonation;

    @Mixin
    GateOptions gateOptions;

    @Mixin
    ControllerOptions controllers;

    @Mixin
    HttpLimitOptions httpLimits;

    @Mixin
    WebhookOptions webhook;

    @Override
    public Integer call() throws Exception {
        HttpOptions httpOptions = null;
        HttpOptions metricsOptions = null;
        java.util.Optional<dev.trainops.server.AdmissionHttp.Options> webhookOptions;
        dev.trainops.access.Principal local;
        try {
            local = AuthOptions.localPrincipal(System.getenv());
            Authenticator authenticator = auth.authenticator(java.time.Clock.systemUTC());
            if (transport == Transport.http) {
                httpOptions = new HttpOptions(bind, port, authenticator, allowedOrigins, publicUrl);
            }
            if (metricsPort != null) {
                if (metricsPort < 0 || metricsPort > 65535) {
                    throw new IllegalArgumentException("--metrics-port must be between 0 and 65535, was " + metricsPort + ".");
                }
                metricsOptions = new HttpOptions(bind, metricsPort, authenticator, allowedOrigins, null);
            }
            webhookOptions = webhook.options(bind);
        } catch (IllegalArgumentException e) {
            System.err.println("trainops: " + e.getMessage());
            return 2;
        }
        Trainops.Settings settings;
        Gates gates;
        try {
            gates = gateOptions.gates();
            settings = controllers.apply(impersonation.apply(backend.settings()), gates.readOnly());
        } catch (IllegalArgumentException e) {
            System.err.println("trainops: " + e.getMessage());
            return 2;
        }
        // Over stdio, stdout is the protocol: keep the real one for MCP and send everything else to stderr.
        PrintStream protocolOut = System.out;
        if (transport == Transport.stdio) {
            System.setOut(System.err);
        }
        Stop stop = new Stop();
        // SIGTERM is a normal stop: the same ordered close as end of input, then exit 0
        Runtime.getRuntime().addShutdownHook(new Thread(stop::onSignal, "trainops-stop"));
        try {
            if (transport == Transport.stdio) {
                if (!serveStdio(settings, gates, protocolOut, metricsOptions, webhookOptions, local, stop)) {
                    return 2;
                }
            } else {
                TrainopsConfig config = readConfig(settings);
                if (config == null) {
                    return 2;
                }
                Trainops trainops = stop.trainops(Trainops.create(config, gates));
                serveMetrics(trainops, metricsOptions, stop);
                serveWebhook(trainops, webhookOptions, stop);
                JobEventNotifier jobEvents = new JobEventNotifier(local);
                trainops.onJobEvent(jobEvents);
                trainops.onTeamWarning(jobEvents::warn);
                TrainopsMcpServer server = new TrainopsMcpServer(trainops.catalog(), Main.version(), prompts(settings.configDir()), jobEvents,
                        local);
                HttpTransport http = new HttpTransport(server, httpOptions, trainops::readiness, trainops.monitoringEndpoints(),
                        httpLimits.limits());
                stop.first(http::close);
                int bound = http.start();
                trainops.connect();
                log.info("trainops serving MCP at http://{}:{}{}{}", bind.contains(":") ? "[" + bind + "]" : bind, bound,
                        HttpTransport.MCP_PATH, settings.sandbox() ? " on the sandbox cluster" : "");
            }
            stop.requested.await();
        } finally {
            stop.run();
            stop.returning();
        }
        return 0;
    }

    /** The configuration, or null after saying on stderr what to fix. */
    private static TrainopsConfig readConfig(Trainops.Settings settings) {
        try {
            return TrainopsConfig.read(settings, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("trainops: " + e.getMessage());
            return null;
        }
    }

    /**
     * Over stdio the handshake comes first: the MCP server answers {@code initialize} before the
     * configuration is read and before the modules, the metrics and the tool
     * schemas exist; they are built once that answer is out (or after a second), and requests
     * after {@code initialize} wait for them. The cluster, the store and the loops then start in
     * the background (docs/architecture.md, "Life of a tool call"). False when the configuration
     * is wrong (said on stderr; the command exits 2, as before the handshake moved first).
     */
    private boolean serveStdio(Trainops.Settings settings, Gates gates, PrintStream protocolOut, HttpOptions metricsOptions,
                               java.util.Optional<dev.trainops.server.AdmissionHttp.Options> webhookOptions,
                               dev.trainops.access.Principal local, Stop stop) throws Exception {
        JobEventNotifier jobEvents = new JobEventNotifier(local);
        Main.awaitPrepared();
        // when Main answered initialize itself, the server reads that line again and its answer is dropped
        dev.trainops.server.EarlyInitialize early = Main.early();
        // the prompts name the completion handlers the SDK takes at build; read after the early answer
        TrainopsMcpServer.Deferred mcp = TrainopsMcpServer.stdioDeferred(Main.version(), prompts(settings.configDir()), jobEvents,
                new EofSignallingInput(early == null ? System.in : early.input(System.in), stop.requested),
                early == null ? protocolOut : early.output(protocolOut));
        stop.first(mcp.server()::closeGracefully);
        stop.first(mcp::release);
        mcp.awaitFirstAnswer(java.time.Duration.ofSeconds(1));
        TrainopsConfig config = readConfig(settings);
        if (config == null) {
            return false;
        }
        Trainops trainops = stop.trainops(Trainops.create(config, gates));
        trainops.onJobEvent(jobEvents);
        trainops.onTeamWarning(jobEvents::warn);
        mcp.register(trainops.catalog(), local);
        serveMetrics(trainops, metricsOptions, stop);
        serveWebhook(trainops, webhookOptions, stop);
        trainops.connect();
        log.info("trainops serving MCP over stdio{}", config.sandbox() ? " on the sandbox cluster" : "");
        return true;
    }

    private void serveMetrics(Trainops trainops, HttpOptions metricsOptions, Stop stop) throws Exception {
        if (metricsOptions != null) {
            MonitoringHttp metricsHttp = stop.then(new MonitoringHttp(metricsOptions, trainops::readiness, trainops.monitoringEndpoints()));
            int bound = metricsHttp.start();
            log.info("trainops serving /metrics and /alerts/webhook at http://{}:{}", bind.contains(":") ? "[" + bind + "]" : bind, bound);
        }
    }

    /** {@code --webhook-port}: the admission webhook over HTTPS, closed with the metrics port, before trainops. */
    private void serveWebhook(Trainops trainops, java.util.Optional<dev.trainops.server.AdmissionHttp.Options> options, Stop stop)
            throws Exception {
        if (options.isPresent()) {
            dev.trainops.server.AdmissionHttp https = stop.then(new dev.trainops.server.AdmissionHttp(options.get(), trainops.admissionPolicy()));
            int bound = https.start();
            log.info("trainops serving the admission webhook at https://{}:{}{}", bind.contains(":") ? "[" + bind + "]" : bind, bound,
                    dev.trainops.server.AdmissionHttp.PATH);
        }
    }

    /**
     * The one way trainops stops, on end of input or SIGTERM, whichever comes first, and only once:
     * /readyz turns 503, the MCP transport closes (no new calls; the session closes), the metrics
     * port, then trainops itself (its loops, after the pass in flight; the Lease, released when held;
     * the store, the informers and the client, in that order; docs/architecture.md, "Roles of a
     * process"). Nothing is left running against a client that is already closed, so a normal stop
     * logs no error.
     */
    static final class Stop {
        /**
         * A signalled stop exits by then even when a step hangs: within a pod's grace period (deploy/
         * sets 30 s), with room to spare. The steps' own bounds (the loops' pass 5 s, the Lease's
         * release 5 s, the sandbox 10 s, which has no Lease) fit in it.
         */
        static final java.time.Duration STOP_WITHIN = java.time.Duration.ofSeconds(20);
        final CountDownLatch requested = new CountDownLatch(1);
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile Trainops trainops;
        private final List<AutoCloseable> transports = new ArrayList<>();
        private final List<AutoCloseable> extras = new ArrayList<>();
        private boolean started;

        /** The app to close last, once it exists. */
        Trainops trainops(Trainops created) {
            this.trainops = created;
            return created;
        }

        /** Closed before everything else (the MCP transport). */
        synchronized void first(AutoCloseable c) {
            transports.add(c);
        }

        /** Closed after the transport, before trainops. */
        synchronized <T extends AutoCloseable> T then(T c) {
            extras.add(c);
            return c;
        }

        void run() {
            synchronized (this) {
                if (started) {
                    return;
                }
                started = true;
            }
            requested.countDown();
            Trainops app = trainops;
            if (app != null) {
                // /readyz answers 503 while the transport closes
                app.stopping();
            }
            try {
                List<AutoCloseable> order = new ArrayList<>(transports);
                order.addAll(extras);
                for (AutoCloseable c : order) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        log.warn("stopping: {}", e.getMessage());
                    }
                }
                if (trainops != null) {
                    trainops.close();
                }
            } finally {
                done.countDown();
            }
        }

        /** The command is about to return its exit status: a shutdown from now on is Main's System.exit, not a signal. */
        synchronized void returning() {
            if (!signalled) {
                returned = true;
            }
        }

        private boolean signalled;
        private boolean returned;

        /**
         * From the shutdown hook. A signal (SIGTERM) is a normal stop: stop, or wait for the stop
         * under way (the end of input may have started it: a parent that kills its child also
         * closes the pipes), then exit 0. When the JVM exits because the command returned, the
         * status is the command's.
         */
        void onSignal() {
            boolean signal;
            synchronized (this) {
                signal = !returned;
                signalled = true;
            }
            if (!signal) {
                return;
            }
            log.info("trainops stopping (signal)");
            run();
            try {
                done.await(STOP_WITHIN.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.err.flush();
            Runtime.getRuntime().halt(0);
        }
    }

    /** The prompts beside the config directory ({@code prompts/} in the checkout), else the copy in the jar. */
    static dev.trainops.catalog.PromptLibrary prompts(Path configDir) throws IOException {
        Path dir = configDir.toAbsolutePath().normalize().resolveSibling("prompts");
        return dev.trainops.catalog.PromptLibrary.loadOrBundled(dir);
    }

    /** Counts down when the client closes our stdin, so the process ends with its client. */
    private static final class EofSignallingInput extends FilterInputStream {
        private final CountDownLatch eof;

        EofSignallingInput(InputStream in, CountDownLatch eof) {
            super(in);
            this.eof = eof;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                eof.countDown();
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n < 0) {
                eof.countDown();
            }
            return n;
        }
    }
}
