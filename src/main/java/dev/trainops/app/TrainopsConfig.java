package dev.trainops.app;

import dev.trainops.access.ExperimentTeams;
import dev.trainops.budget.Budget;
import dev.trainops.budget.BudgetService;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.mlflow.MlflowClient;
import dev.trainops.prometheus.PrometheusClient;
import dev.trainops.queue.JobTemplates;
import dev.trainops.queue.PriorityConfig;
import dev.trainops.queue.QuotaConfig;
import dev.trainops.store.Store;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything trainops reads at start, read once: the command line's settings, the environment
 * (store, MLflow, Prometheus) and the YAML files of the config directory. A missing or broken file
 * fails the start with a message naming the file, the key where the loader knows it, and the fix;
 * nothing falls back to built-in defaults silently (docs/architecture.md, "Modules").
 */
public record TrainopsConfig(Trainops.Settings settings, PriceBook prices, List<Budget> budgets, PriorityConfig priorities,
                             QuotaConfig quotas, Optional<MlflowClient.Config> mlflow, Optional<PrometheusClient.Config> prometheus,
                             StoreConfig store, JobTemplates jobs, ExperimentTeams experimentTeams, Candidate candidate,
                             ScaleUpConfig scaleUp) {

    public static final String PRICING = "pricing.yaml";
    public static final String BUDGETS = "budgets.yaml";
    public static final String PRIORITIES = "priorities.yaml";
    public static final String QUOTAS = "quotas.yaml";
    public static final String JOBS = "jobs.yaml";

    public TrainopsConfig {
        budgets = List.copyOf(budgets);
    }

    /** Where the store lives: TRAINOPS_DB_URL (with its user and password), else SQLite in the data directory. */
    public record StoreConfig(String url, String user, String password) {
        public Store open(Path dataDir) throws java.io.IOException {
            return url == null ? Store.sqlite(dataDir) : Store.open(url, user, password);
        }

        /** Never the URL or the password: either may hold a credential. */
        @Override
        public String toString() {
            return url == null ? "SQLite in the data directory" : "TRAINOPS_DB_URL";
        }
    }

    /**
     * Who stands for leader on a shared store, and where (docs/architecture.md, "Roles of a process"):
     * the Lease's namespace and this process's identity in it.
     *
     * @param namespace TRAINOPS_NAMESPACE, else the pod's own namespace in a cluster, else trainops-system
     * @param identity  POD_NAME, else HOSTNAME, else "trainops", and a random suffix, so a restarted
     *                  pod of the same name is a new candidate, never the holder it replaced
     */
    public record Candidate(String namespace, String identity) {
        static final String DEFAULT_NAMESPACE = "trainops-system";
        static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
        private static final java.util.regex.Pattern NAMESPACE = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
        private static final String SUFFIX_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

        public Candidate {
            if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
                throw new IllegalArgumentException("TRAINOPS_NAMESPACE must be a Kubernetes namespace name (lowercase letters, digits "
                        + "and '-', at most 63), was '" + namespace + "'; set it to the namespace trainops runs in, e.g. trainops-system.");
            }
            if (identity == null || identity.isBlank()) {
                throw new IllegalArgumentException("a leader candidate needs an identity");
            }
        }

        static Candidate fromEnvironment(Map<String, String> env, Path serviceAccountNamespace) {
            String namespace = env.get("TRAINOPS_NAMESPACE");
            if (namespace == null || namespace.isBlank()) {
                namespace = podNamespace(serviceAccountNamespace);
            }
            String name = firstSet(env.get("POD_NAME"), env.get("HOSTNAME"), "trainops");
            java.util.random.RandomGenerator random = new java.security.SecureRandom();
            StringBuilder suffix = new StringBuilder(5);
            for (int i = 0; i < 5; i++) {
                suffix.append(SUFFIX_CHARS.charAt(random.nextInt(SUFFIX_CHARS.length())));
            }
            return new Candidate(namespace.strip(), name.strip() + "-" + suffix);
        }

        /** The namespace of the pod this runs in (its ServiceAccount's token mount), else trainops-system. */
        private static String podNamespace(Path file) {
            try {
                if (Files.isReadable(file)) {
                    String ns = Files.readString(file).strip();
                    if (!ns.isEmpty()) {
                        return ns;
                    }
                }
            } catch (java.io.IOException e) {
                // not in a cluster, or not readable: the default
            }
            return DEFAULT_NAMESPACE;
        }

        private static String firstSet(String... values) {
            for (String v : values) {
                if (v != null && !v.isBlank()) {
                    return v;
                }
            }
            return "trainops";
        }
    }

    /** Reads the configuration directory and the environment; IllegalArgumentException says what to fix. */
    public static TrainopsConfig read(Trainops.Settings settings, Map<String, String> env) {
        return read(settings, env, Candidate.SERVICE_ACCOUNT_NAMESPACE);
    }

    /** With the pod's namespace file at {@code serviceAccountNamespace} (tests point it elsewhere). */
    static TrainopsConfig read(Trainops.Settings settings, Map<String, String> env, Path serviceAccountNamespace) {
        Path dir = settings.configDir();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("Config directory " + dir + " does not exist; pass --config-dir "
                    + "pointing at trainops's config/ folder.");
        }
        PriceBook prices = load(dir, PRICING, PricingConfig::load);
        List<Budget> budgets = load(dir, BUDGETS, BudgetService::load);
        PriorityConfig priorities = load(dir, PRIORITIES, PriorityConfig::load);
        QuotaConfig quotas = load(dir, QUOTAS, QuotaConfig::load);
        JobTemplates jobs = load(dir, JOBS, JobTemplates::load);
        // optional: without it a run belongs to the team its tag or param names, else to admins only (rule 6)
        ExperimentTeams experimentTeams = Files.isRegularFile(dir.resolve(ExperimentTeams.FILE))
                ? load(dir, ExperimentTeams.FILE, ExperimentTeams::load) : ExperimentTeams.NONE;
        // optional: without it no ProvisioningRequests (docs/kubernetes.md, "Scale-up")
        ScaleUpConfig scaleUp = Files.isRegularFile(dir.resolve(ScaleUpConfig.FILE))
                ? load(dir, ScaleUpConfig.FILE, ScaleUpConfig::load) : ScaleUpConfig.DISABLED;
        String url = env.get("TRAINOPS_DB_URL");
        StoreConfig store = new StoreConfig(url == null || url.isBlank() ? null : url.strip(), env.get("TRAINOPS_DB_USER"),
                env.get("TRAINOPS_DB_PASSWORD"));
        Optional<MlflowClient.Config> mlflow = MlflowClient.Config.fromEnvironment(env);
        return new TrainopsConfig(settings, prices, budgets, priorities, quotas, mlflow, PrometheusClient.Config.fromEnvironment(env), store,
                jobs.withMlflowTrackingUri(mlflow.map(MlflowClient.Config::trackingUri).orElse(null)), experimentTeams,
                Candidate.fromEnvironment(env, serviceAccountNamespace), scaleUp);
    }

    public Path configDir() {
        return settings.configDir();
    }

    public Path dataDir() {
        return settings.dataDir();
    }

    public boolean sandbox() {
        return settings.sandbox();
    }

    /** A store other processes share (TRAINOPS_DB_URL): its control loops need one leader among them. */
    public boolean sharedStore() {
        return store.url() != null;
    }

    /** Teams that budgets.yaml and quotas.yaml name, so their metric series exist from the start. */
    public List<String> teams() {
        Set<String> teams = new TreeSet<>(quotas.teams().keySet());
        for (Budget b : budgets) {
            if (b.kind() == Budget.Kind.TEAM) {
                teams.add(b.scope());
            }
        }
        return List.copyOf(teams);
    }

    interface Loader<T> {
        T load(Path file) throws Exception;
    }

    /** One file, its errors prefixed with its path unless the loader named it already. */
    static <T> T load(Path dir, String name, Loader<T> loader) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Missing " + file + ": trainops reads its " + what(name) + " from it. Copy config/" + name
                    + " from the trainops checkout into " + dir + ", or pass --config-dir pointing at a folder that has it.");
        }
        try {
            return loader.load(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("Cannot read " + file + ".");
        } catch (Exception e) {
            String message = e.getMessage() == null ? "unreadable" : e.getMessage().lines().findFirst().orElse("unreadable");
            String where = message.startsWith(file.toString()) ? message : file + ": " + message.replaceFirst("^" + name + ":\\s*", "");
            throw new IllegalArgumentException(where + (where.endsWith(".") ? "" : ".") + " Fix " + name + " and start again.");
        }
    }

    private static String what(String name) {
        return switch (name) {
            case PRICING -> "price list";
            case BUDGETS -> "team and experiment budgets";
            case PRIORITIES -> "PriorityClasses and job types";
            case QUOTAS -> "team GPU quotas";
            case ExperimentTeams.FILE -> "experiments' teams (who owns an MLflow run)";
            case JOBS -> "job templates (image, args, env, volumes, tolerations, CPU and memory per GPU)";
            default -> "settings";
        };
    }
}
