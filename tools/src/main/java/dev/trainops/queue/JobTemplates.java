package dev.trainops.queue;

import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code config/jobs.yaml}: how a queued job becomes a batch/v1 Job (docs/queue.md, "Job
 * templates"): a {@code default} template and one per model (image, command, args with
 * placeholders, env, the team's checkpoint volume, tolerations, node selector and affinity, service
 * account, image pull secrets, security contexts, CPU and memory per GPU, a fixed time limit), and how
 * long a Job may run ({@code activeDeadlineSeconds} from its estimate, capped by the template's limit).
 * Checked whole at start.
 */
public final class JobTemplates implements JobRequests {
    public static final String DEFAULT = "default";
    private static final BigDecimal GIB = BigDecimal.valueOf(1L << 30);

    /** {@code activeDeadlineSeconds = ceil(estimated seconds x factor) + slackSeconds}. */
    public record Deadline(BigDecimal factor, long slackSeconds) {
        public Deadline {
            Objects.requireNonNull(factor, "factor must not be null");
            if (factor.compareTo(BigDecimal.ONE) < 0 || slackSeconds < 0) {
                throw new IllegalArgumentException("deadline factor must be at least 1 and slack_seconds not negative");
            }
        }
    }

    private final Map<String, JobTemplate> templates;
    private final Deadline deadline;
    private final URI mlflowTrackingUri;
    private final String rackLabel;

    private JobTemplates(Map<String, JobTemplate> templates, Deadline deadline, URI mlflowTrackingUri, String rackLabel) {
        this.templates = Map.copyOf(templates);
        this.deadline = deadline;
        this.mlflowTrackingUri = mlflowTrackingUri;
        this.rackLabel = rackLabel;
    }

    /** Reads and checks the file; IllegalArgumentException names the file, the key path and the fix. */
    public static JobTemplates load(Path file) throws IOException {
        JobTemplateLoader loader = new JobTemplateLoader(file);
        JsonNode root;
        try {
            root = YAMLMapper.builder().build().readTree(Files.readString(file));
        } catch (JacksonException e) {
            var at = e.getLocation();
            throw new IllegalArgumentException(file + ": not valid YAML" + (at == null ? "" : " (line " + at.getLineNr() + ", column "
                    + at.getColumnNr() + ")") + ": " + e.getOriginalMessage().lines().findFirst().orElse("") + "; check the indentation, "
                    + "quotes and brackets there");
        }
        if (root == null || !root.isObject()) {
            throw loader.error("(top level)", "must be a map with 'templates' (and optionally 'deadline' and 'topology')");
        }
        for (var e : root.properties()) {
            if (!List.of("templates", "deadline", "topology").contains(e.getKey())) {
                throw loader.error(e.getKey(), "is not a key of jobs.yaml; the keys are templates, deadline, topology");
            }
        }
        return new JobTemplates(loader.templates(root.get("templates")), loader.deadline(root.get("deadline")), null,
                rackLabel(loader, root.get("topology")));
    }

    /** {@code topology: {rack_label: LABEL}}: the node label naming a node's rack (queue rule 13); absent, {@link MultiNode#DEFAULT_RACK_LABEL}. */
    private static String rackLabel(JobTemplateLoader loader, JsonNode topology) {
        if (topology == null || topology.isNull()) {
            return MultiNode.DEFAULT_RACK_LABEL;
        }
        for (var e : topology.properties()) {
            if (!e.getKey().equals("rack_label")) {
                throw loader.error("topology." + e.getKey(), "is not a topology key; the only key is rack_label");
            }
        }
        JsonNode label = topology.get("rack_label");
        if (label == null || !label.isString() || label.asString().isBlank()) {
            throw loader.error("topology.rack_label", "must be a node label name, e.g. " + MultiNode.DEFAULT_RACK_LABEL);
        }
        return label.asString().trim();
    }

    /** The node label naming a node's rack, which multi-node jobs prefer to share (queue rule 13). */
    public String rackLabel() {
        return rackLabel;
    }

    /**
     * The same templates, with the MLflow tracking server the jobs log to (MLFLOW_TRACKING_URI in
     * their env); any user and password in the URI are left out: a template passes credentials from a Secret.
     */
    public JobTemplates withMlflowTrackingUri(URI uri) {
        URI clean = uri;
        if (uri != null && uri.getUserInfo() != null) {
            try {
                clean = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), uri.getFragment());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("MLFLOW_TRACKING_URI is not a valid URI");
            }
        }
        return new JobTemplates(templates, deadline, clean, rackLabel);
    }

    /** The template of {@code model}, else {@code default}. */
    JobTemplate forModel(String model) {
        return templates.getOrDefault(model, templates.get(DEFAULT));
    }

    /** The models with a template of their own (not {@code default}), sorted. */
    public List<String> models() {
        return templates.keySet().stream().filter(m -> !m.equals(DEFAULT)).sorted().toList();
    }

    Optional<URI> mlflowTrackingUri() {
        return Optional.ofNullable(mlflowTrackingUri);
    }

    /** CPU a Job of {@code model} requests per GPU. */
    public Quantity cpuPerGpu(String model) {
        return forModel(model).cpuPerGpu();
    }

    /** Memory a Job of {@code model} requests (and is limited to) per GPU. */
    public Quantity memoryPerGpu(String model) {
        return forModel(model).memoryPerGpu();
    }

    /** CPU cores a Job of {@code model} on {@code gpus} GPUs requests (what the ledger bills for CPU). */
    @Override
    public BigDecimal cpuCores(String model, int gpus) {
        return Quantity.getAmountInBytes(cpuPerGpu(model)).multiply(BigDecimal.valueOf(gpus)).stripTrailingZeros();
    }

    /** Memory in GiB a Job of {@code model} on {@code gpus} GPUs requests (what the ledger bills for memory). */
    @Override
    public BigDecimal memoryGib(String model, int gpus) {
        return Quantity.getAmountInBytes(memoryPerGpu(model)).multiply(BigDecimal.valueOf(gpus))
                .divide(GIB, 6, RoundingMode.HALF_EVEN).stripTrailingZeros(); // as the ledger reads a pod's request (cost/ClusterUsage)
    }

    /**
     * The fixed time limit of {@code model}'s template ({@code active_deadline_seconds}), when it sets
     * one: what a job of a model without run history is priced at (docs/money.md, "History without MLflow").
     */
    public Optional<Duration> timeLimit(String model) {
        Long limit = forModel(model).activeDeadlineSeconds();
        return limit == null ? Optional.empty() : Optional.of(Duration.ofSeconds(limit));
    }

    /**
     * How long a Job of {@code model} estimated to run {@code estimatedSeconds} may run (docs/queue.md,
     * "Job templates"): {@code ceil(estimate x factor) + slack} from {@code deadline}, capped by the
     * template's {@code active_deadline_seconds}; the template's limit alone with no estimate (0) or
     * no {@code deadline}; empty with neither.
     */
    public OptionalLong activeDeadlineSeconds(String model, long estimatedSeconds) {
        Long fixed = forModel(model).activeDeadlineSeconds();
        if (deadline == null || estimatedSeconds <= 0) {
            return fixed == null ? OptionalLong.empty() : OptionalLong.of(fixed);
        }
        long derived = deadline.factor().multiply(BigDecimal.valueOf(estimatedSeconds)).setScale(0, RoundingMode.CEILING).longValueExact()
                + deadline.slackSeconds();
        return OptionalLong.of(fixed == null ? derived : Math.min(derived, fixed));
    }
}
