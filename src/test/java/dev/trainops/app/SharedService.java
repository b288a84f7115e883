package dev.trainops.app;

import dev.trainops.kube.KubeNames;
import dev.trainops.testing.PrivatePostgres;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * trainops as a shared service, for the fault tests of issue 15: a PostgreSQL of the test's own
 * ({@link PrivatePostgres}, so it can be stopped and restarted), one API server (fabric8's mock in
 * CRUD mode in the test's JVM, seeded with the sandbox's nodes, team namespaces, quotas, checkpoint
 * claims and PriorityClasses, none of its Jobs), a {@link Kubelet} that runs the Jobs trainops
 * creates for as long as the test says, and the packaged server started as separate processes
 * ({@link Replica}) on that store and that API server (each through its own {@link ApiProxy}),
 * each over Streamable HTTP on its own port.
 * Closing it kills the replicas and stops everything, whatever state the test left.
 */
final class SharedService implements AutoCloseable {
    static final String NAMESPACE = "trainops-system";

    final Path dir;
    final PrivatePostgres pg;
    final KubernetesMockServer api;
    final KubernetesClient kube;
    final Kubelet kubelet;
    private final List<Replica> replicas = new CopyOnWriteArrayList<>();
    private final List<ApiProxy> proxies = new CopyOnWriteArrayList<>();

    private SharedService(Path dir, PrivatePostgres pg, KubernetesMockServer api, KubernetesClient kube, Kubelet kubelet) {
        this.dir = dir;
        this.pg = pg;
        this.api = api;
        this.kube = kube;
        this.kubelet = kubelet;
    }

    /** Starts the store, the API server and the kubelet; a Job trainops creates runs for {@code runFor} of it, then succeeds. */
    static SharedService start(Path dir, Function<Job, Duration> runFor) throws IOException {
        PrivatePostgres pg = PrivatePostgres.start();
        KubernetesMockServer api = null;
        KubernetesClient kube = null;
        try {
            api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
            api.init(InetAddress.getLoopbackAddress(), 0);
            kube = api.createClient();
            Path config = Path.of(System.getProperty("trainops.configDir"));
            List<HasMetadata> items;
            try (InputStream in = Files.newInputStream(config.resolve("sandbox").resolve("cluster.yaml"))) {
                items = kube.load(in).items();
            }
            for (HasMetadata item : items) {
                if (!(item instanceof Job)) {
                    kube.resource(item).create();
                }
            }
            kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
            Kubelet kubelet = new Kubelet(kube, runFor);
            kubelet.start();
            return new SharedService(dir, pg, api, kube, kubelet);
        } catch (IOException | RuntimeException e) {
            if (kube != null) {
                kube.close();
            }
            if (api != null) {
                api.destroy();
            }
            pg.close();
            throw e;
        }
    }

    /** A kubeconfig for the API server at {@code url} (http, a token the mock does not check). */
    static String kubeconfig(String url) {
        return "apiVersion: v1\nkind: Config\nclusters:\n- name: mock\n  cluster:\n    server: " + url + "\n"
                + "contexts:\n- name: mock\n  context:\n    cluster: mock\n    user: mock\n    namespace: " + NAMESPACE + "\n"
                + "current-context: mock\nusers:\n- name: mock\n  user:\n    token: mock-token\n";
    }

    /**
     * Starts the packaged server as replica {@code name} (its own data directory and log), on the
     * shared store and API server, with {@code extra} options; returns once its /readyz answers 200.
     */
    Replica launch(String name, String... extra) throws Exception {
        Replica r = spawn(name, extra);
        r.awaitReady(Duration.ofSeconds(90));
        return r;
    }

    /** As {@link #launch}, without waiting for it to be ready (start several, then {@link Replica#awaitReady} each). */
    Replica spawn(String name, String... extra) throws Exception {
        Path data = Files.createDirectories(dir.resolve(name));
        int port = SandboxServers.freePort();
        List<String> args = new ArrayList<>(List.of(SandboxServers.java(), "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", System.getProperty("trainops.jar"), "serve", "--transport", "http", "--port", Integer.toString(port),
                "--config-dir", System.getProperty("trainops.configDir"), "--data-dir", data.toString(), "--rate-limit", "0"));
        args.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(args);
        Map<String, String> env = pb.environment();
        // this service's backends only: none of the test machine's own (the API request log for the
        // least-privilege check stays: these replicas' requests are trainops's too)
        env.keySet().removeIf(k -> k.startsWith("MLFLOW_") || (k.startsWith("TRAINOPS_") && !k.equals("TRAINOPS_API_REQUEST_LOG"))
                || k.startsWith("KUBERNETES_")
                || k.equals("PROMETHEUS_URL") || k.startsWith("OPENAI_") || k.startsWith("ANTHROPIC_"));
        env.put("TRAINOPS_DB_URL", pg.url());
        env.put("TRAINOPS_DB_USER", PrivatePostgres.USER);
        env.put("TRAINOPS_NAMESPACE", NAMESPACE);
        // the Lease names its holder by the pod's name in a cluster; here each replica has its own
        env.put("HOSTNAME", name);
        env.put("POD_NAME", name);
        // each replica reaches the API server through its own proxy (see ApiProxy)
        ApiProxy proxy = new ApiProxy(api.getPort());
        proxies.add(proxy);
        Path config = data.resolve("kubeconfig");
        Files.writeString(config, kubeconfig("http://127.0.0.1:" + proxy.port()));
        env.put("KUBECONFIG", config.toString());
        Path log = data.resolve("server.log");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Replica r = new Replica(name, port, pb.start(), log);
        replicas.add(r);
        return r;
    }

    @Override
    public void close() {
        for (Replica r : replicas) {
            r.kill();
        }
        kubelet.close();
        kube.close();
        api.destroy();
        proxies.forEach(ApiProxy::close);
        pg.close();
    }

    /**
     * A TCP proxy between one replica and the API server that keeps its side of every connection
     * open when the replica dies, reading and dropping what the API server still sends, until the
     * test ends. A real API server lets a killed client's watches go; fabric8's mock server (8.0.0)
     * blocks one of its event loops for 30 s when a watch connection fails while it is sending an
     * event to it (WatchEventsListener.onFailure awaits the executor whose send awaits that event
     * loop), which stalls every other client on that loop, the surviving replica included. With
     * the proxy, the mock never sees the SIGKILL; the replicas see a plain API server.
     */
    static final class ApiProxy implements AutoCloseable {
        private final java.net.ServerSocket server;
        private final int upstreamPort;
        private final List<java.net.Socket> sockets = new CopyOnWriteArrayList<>();
        private volatile boolean closed;

        ApiProxy(int upstreamPort) throws IOException {
            this.upstreamPort = upstreamPort;
            this.server = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            daemon("api-proxy-accept", this::accept);
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!closed) {
                try {
                    java.net.Socket client = server.accept();
                    java.net.Socket upstream = new java.net.Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                    sockets.add(client);
                    sockets.add(upstream);
                    daemon("api-proxy-up", () -> pump(client, upstream, false));
                    daemon("api-proxy-down", () -> pump(upstream, client, true));
                } catch (IOException e) {
                    if (!closed) {
                        System.err.println("api proxy: " + e.getMessage());
                    }
                }
            }
        }

        /** Copies {@code from} to {@code to}; toward a client that is gone it reads on and drops, so the API server sees nothing end. */
        private void pump(java.net.Socket from, java.net.Socket to, boolean towardClient) {
            byte[] buffer = new byte[16384];
            boolean clientGone = false;
            try (InputStream in = from.getInputStream()) {
                var out = to.getOutputStream();
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (towardClient && !clientGone) {
                        try {
                            out.write(buffer, 0, n);
                            out.flush();
                        } catch (IOException gone) {
                            clientGone = true;
                        }
                    } else if (!towardClient) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
                if (towardClient) {
                    to.close(); // the API server ended the connection: so does the client's side
                }
            } catch (IOException e) {
                // from the client: it is gone (the upstream side stays open, drained by its own pump); else the proxy closes
            }
        }

        private static void daemon(String name, Runnable r) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() {
            closed = true;
            try {
                server.close();
            } catch (IOException e) {
                // closing anyway
            }
            for (java.net.Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }

    /** Rows of the shared store, read directly (what the replicas wrote). */
    <T> List<T> query(String sql, RowReader<T> reader) throws SQLException {
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(reader.read(rs));
            }
            return out;
        }
    }

    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** One usage slice of the ledger: which pod, from when to when, how many seconds. */
    record Slice(String pod, long startMs, long endMs, long seconds) {
    }

    List<Slice> ledger() throws SQLException {
        return query("SELECT job_id, start_ms, end_ms, seconds FROM usage_slice ORDER BY job_id, start_ms",
                rs -> new Slice(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
    }

    /** Every batch/v1 Job trainops created, by job id and attempt: how many Jobs each has in the API server. */
    Map<String, Integer> jobsPerAttempt() {
        Map<String, Integer> out = new HashMap<>();
        for (Job j : kube.batch().v1().jobs().inAnyNamespace().withLabel(KubeNames.LABEL_JOB_ID).list().getItems()) {
            Map<String, String> labels = j.getMetadata().getLabels();
            out.merge(labels.get(KubeNames.LABEL_JOB_ID) + "#" + labels.get(KubeNames.LABEL_ATTEMPT), 1, Integer::sum);
        }
        return out;
    }

    /**
     * The checks of "no usage is billed twice": for every pod, its slices follow each other without
     * overlap; for every pod the kubelet finished, they tile its run exactly, start to finish.
     * Returns what is wrong, empty when nothing is.
     */
    List<String> ledgerProblems() throws SQLException {
        Map<String, List<Slice>> byPod = new HashMap<>();
        for (Slice s : ledger()) {
            byPod.computeIfAbsent(s.pod(), k -> new ArrayList<>()).add(s);
        }
        List<String> problems = new ArrayList<>();
        byPod.forEach((pod, slices) -> {
            for (int i = 1; i < slices.size(); i++) {
                if (slices.get(i).startMs() < slices.get(i - 1).endMs()) {
                    problems.add(pod + ": slice " + slices.get(i) + " overlaps " + slices.get(i - 1));
                }
            }
        });
        kubelet.runs().forEach((pod, run) -> {
            List<Slice> recorded = byPod.getOrDefault(pod, List.of());
            if (!recorded.isEmpty() && recorded.get(0).startMs() != run.started().toEpochMilli()) {
                problems.add(pod + " started at " + run.started() + " but its first slice is " + recorded.get(0));
            }
            for (int i = 1; i < recorded.size(); i++) {
                if (recorded.get(i).startMs() > recorded.get(i - 1).endMs()) {
                    problems.add(pod + ": a gap before " + recorded.get(i));
                }
            }
            if (run.finished() == null) {
                return;
            }
            List<Slice> slices = byPod.getOrDefault(pod, List.of());
            long seconds = slices.stream().mapToLong(Slice::seconds).sum();
            long expected = Duration.between(run.started(), run.finished()).toSeconds();
            if (slices.isEmpty() || slices.get(0).startMs() != run.started().toEpochMilli()
                    || slices.get(slices.size() - 1).endMs() != run.finished().toEpochMilli() || seconds != expected) {
                problems.add(pod + " ran " + run.started() + " .. " + run.finished() + " (" + expected + " s) but the ledger holds " + slices);
            }
        });
        return problems;
    }

    /** One server process of the service. */
    static final class Replica {
        final String name;
        final int port;
        final Process process;
        final Path log;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        Replica(String name, int port, Process process, Path log) {
            this.name = name;
            this.port = port;
            this.process = process;
            this.log = log;
        }

        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        void awaitReady(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + logTail(40));
                }
                if (status("/readyz") == 200) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new AssertionError(name + " not ready within " + timeout.toSeconds() + " s:\n" + logTail(40));
        }

        /** The HTTP status of GET {@code path}, 0 when nothing answers. */
        int status(String path) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }

        /** The body of GET {@code path}, empty when nothing answers. */
        Optional<String> get(String path) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                return Optional.of(r.body());
            } catch (IOException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }

        /** What /healthz says of {@code "leader"}: empty when it does not answer or does not say. */
        Optional<Boolean> leader() {
            return get("/healthz").flatMap(body -> {
                Matcher m = Pattern.compile("\"leader\"\\s*:\\s*(true|false)").matcher(body);
                return m.find() ? Optional.of(Boolean.parseBoolean(m.group(1))) : Optional.empty();
            });
        }

        /** One sample of /metrics, by name and a label fragment (e.g. {@code loop="admission"}); empty when absent. */
        Optional<Double> metric(String name, String label) {
            return get("/metrics").flatMap(body -> body.lines().filter(l -> l.startsWith(name + "{") && l.contains(label)).findFirst()
                    .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))));
        }

        McpSyncClient connect() {
            McpSyncClient c = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp").build())
                    .requestTimeout(Duration.ofSeconds(30)).initializationTimeout(Duration.ofSeconds(30)).build();
            c.initialize();
            return c;
        }

        /** SIGKILL: no shutdown hook, no lease released, nothing flushed. */
        void kill() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String logTail(int lines) {
            try {
                List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }

        @Override
        public String toString() {
            return name + " (port " + port + ")";
        }
    }

    /**
     * The cluster's kubelets and Job controller, as far as the tests need them: a Job trainops
     * created gets one pod at once, bound to the node trainops chose and Running from that second;
     * when its time is up the pod succeeds and the Job completes. A deleted Job's pods go. What each
     * pod ran is kept ({@link #runs()}) for the ledger checks.
     */
    static final class Kubelet implements AutoCloseable {
        private final KubernetesClient kube;
        private final Function<Job, Duration> runFor;
        private final Map<String, Run> runs = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean closed;
        private volatile String lastError;

        /** A pod's run: when it started and, once done, when it finished. */
        record Run(String job, Instant started, Instant finished, boolean deleted) {
        }

        Kubelet(KubernetesClient kube, Function<Job, Duration> runFor) {
            this.kube = kube;
            this.runFor = runFor;
            this.thread = new Thread(this::loop, "test-kubelet");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        /** Pod (namespace/name) -> its run. */
        Map<String, Run> runs() {
            return Map.copyOf(runs);
        }

        String lastError() {
            return lastError;
        }

        private void loop() {
            while (!closed) {
                try {
                    tick();
                    lastError = null;
                } catch (RuntimeException e) {
                    lastError = e.toString();
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void tick() {
            List<Job> jobs = kube.batch().v1().jobs().inAnyNamespace().withLabel(KubeNames.LABEL_JOB_ID).list().getItems();
            List<Pod> pods = kube.pods().inAnyNamespace().withLabel("job-name").list().getItems();
            Map<String, Pod> podOfJob = new HashMap<>();
            for (Pod p : pods) {
                podOfJob.put(p.getMetadata().getNamespace() + "/" + p.getMetadata().getLabels().get("job-name"), p);
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            java.util.Set<String> jobNames = new java.util.HashSet<>();
            for (Job job : jobs) {
                String key = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
                jobNames.add(key);
                if (finished(job) || Boolean.TRUE.equals(job.getSpec().getSuspend())) {
                    continue;
                }
                Pod pod = podOfJob.get(key);
                if (pod == null) {
                    start(job, now);
                } else if (KubeNames.PHASE_RUNNING.equals(pod.getStatus().getPhase())) {
                    Instant started = Instant.parse(pod.getStatus().getStartTime());
                    Instant end = started.plus(runFor.apply(job));
                    if (!now.isBefore(end)) {
                        succeed(job, pod, started, end);
                    }
                }
            }
            for (Pod p : pods) {
                String owner = p.getMetadata().getNamespace() + "/" + p.getMetadata().getLabels().get("job-name");
                if (!jobNames.contains(owner)) {
                    kube.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).delete();
                    String key = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
                    // a deleted pod's end is not the kubelet's to tell: it is checked for overlaps only
                    runs.computeIfPresent(key, (k, r) -> r.finished() != null ? r : new Run(r.job(), r.started(), null, true));
                }
            }
        }

        private void start(Job job, Instant now) {
            String ns = job.getMetadata().getNamespace();
            String name = job.getMetadata().getName();
            var template = job.getSpec().getTemplate();
            Map<String, String> labels = new HashMap<>(template.getMetadata().getLabels());
            labels.put("job-name", name);
            PodSpec spec = new PodSpecBuilder(template.getSpec())
                    .withNodeName(template.getSpec().getNodeSelector() == null ? null
                            : template.getSpec().getNodeSelector().get(KubeNames.LABEL_HOSTNAME)).build();
            Pod pod = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name + "-pod").withLabels(labels)
                    .withAnnotations(template.getMetadata().getAnnotations()).endMetadata()
                    .withSpec(spec)
                    .withNewStatus().withPhase(KubeNames.PHASE_RUNNING).withStartTime(now.toString()).withHostIP("10.0.0.1")
                    .withContainerStatuses(new ContainerStatusBuilder().withName("train").withReady(true)
                            .withNewState().withNewRunning().withStartedAt(now.toString()).endRunning().endState().build())
                    .endStatus().build();
            Pod created = kube.pods().inNamespace(ns).resource(pod).create();
            if (created.getStatus() == null || created.getStatus().getPhase() == null) {
                kube.pods().inNamespace(ns).resource(new PodBuilder(created).withStatus(pod.getStatus()).build()).updateStatus();
            }
            runs.put(ns + "/" + name + "-pod", new Run(job.getMetadata().getLabels().get(KubeNames.LABEL_JOB_ID), now, null, false));
            kube.batch().v1().jobs().inNamespace(ns).resource(new JobBuilder(job).editOrNewStatus().withActive(1)
                    .withStartTime(now.toString()).endStatus().build()).updateStatus();
        }

        private void succeed(Job job, Pod pod, Instant started, Instant end) {
            String ns = job.getMetadata().getNamespace();
            Pod done = new PodBuilder(pod).editStatus().withPhase(KubeNames.PHASE_SUCCEEDED)
                    .withContainerStatuses(new ContainerStatusBuilder().withName("train").withReady(false)
                            .withNewState().withNewTerminated().withExitCode(0).withReason("Completed")
                            .withStartedAt(started.toString()).withFinishedAt(end.toString()).endTerminated().endState().build())
                    .endStatus().build();
            kube.pods().inNamespace(ns).resource(done).updateStatus();
            runs.computeIfPresent(ns + "/" + pod.getMetadata().getName(), (k, r) -> new Run(r.job(), r.started(), end, false));
            kube.batch().v1().jobs().inNamespace(ns).resource(new JobBuilder(job).editOrNewStatus().withActive(0).withSucceeded(1)
                    .withCompletionTime(end.toString()).addNewCondition().withType("Complete").withStatus("True")
                    .withLastTransitionTime(end.toString()).withReason("Completed").endCondition().endStatus().build()).updateStatus();
        }

        private static boolean finished(Job job) {
            return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
                    .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()));
        }

        @Override
        public void close() {
            closed = true;
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
