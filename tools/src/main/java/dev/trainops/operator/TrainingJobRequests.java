package dev.trainops.operator;

import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolException;
import dev.trainops.kube.KubeNames;
import dev.trainops.queue.JobSpec;
import dev.trainops.queue.QueueRequest;
import dev.trainops.queue.QueuedJob;
import dev.trainops.resource.TrainingJob;
import dev.trainops.resource.TrainingJobSpec;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TrainingJob's spec as the queue_training_job request it stands for (DESIGN.md, "Kubernetes API"): the spec's fields
 * under their wire names, bound with the very checks a tool call's arguments get; the team is the namespace (a
 * {@code spec.team} that names another is refused), the run name defaults to the object's name, the idempotency key is
 * the object's uid. And back: a job queued through MCP as the spec of its mirror.
 */
final class TrainingJobRequests {
    /** An argument named in a refusal ("Argument 'batch_size' is 0"), to be given its spec field too. */
    private static final Pattern ARGUMENT = Pattern.compile("'([a-z][a-z0-9_]*)'");

    private TrainingJobRequests() {
    }

    /**
     * The request {@code tj} stands for.
     *
     * @throws ToolException INVALID_ARGUMENT with the tool's message (a field out of bounds, missing, or a team that is
     *                       not the namespace)
     */
    static QueueRequest toRequest(TrainingJob tj) {
        TrainingJobSpec s = tj.getSpec();
        String namespace = tj.getMetadata().getNamespace();
        if (s == null) {
            throw ToolException.invalidArgument("spec", "The TrainingJob has no spec.", "Give spec.model, spec.epochs and spec.batchSize.");
        }
        if (s.getTeam() != null && !s.getTeam().isBlank() && !s.getTeam().trim().equals(namespace)) {
            throw ToolException.invalidArgument("team", "spec.team is '" + s.getTeam().trim() + "' but the TrainingJob is in namespace '"
                    + namespace + "': the team is the namespace.", "Apply it in namespace " + s.getTeam().trim()
                    + ", or drop spec.team (or set it to " + namespace + ").");
        }
        Map<String, Object> args = new LinkedHashMap<>();
        put(args, "model", s.getModel());
        put(args, "run_name", s.getRunName() == null || s.getRunName().isBlank() ? tj.getMetadata().getName() : s.getRunName());
        put(args, "team", namespace);
        put(args, "epochs", s.getEpochs());
        put(args, "batch_size", s.getBatchSize());
        put(args, "priority", s.getPriority() == null ? null : s.getPriority().trim().toUpperCase(Locale.ROOT));
        put(args, "gpu_count", s.getGpuCount());
        put(args, "gpu_type", s.getGpuType());
        put(args, "params", s.getParams() == null ? null : new LinkedHashMap<>(s.getParams()));
        put(args, "spot", s.getSpot());
        put(args, "schedule", s.getSchedule());
        put(args, "max_cost", s.getMaxCost());
        put(args, "idempotency_key", tj.getMetadata().getUid());
        put(args, "mig_profile", s.getMigProfile());
        return ToolCatalog.bind(args, QueueRequest.class);
    }

    private static void put(Map<String, Object> args, String name, Object value) {
        if (value != null) {
            args.put(name, value);
        }
    }

    /** A refusal's message for a kubectl user: each argument it names gets its spec field ("'batch_size' (spec.batchSize)"). */
    static String forSpec(String message) {
        Matcher m = ARGUMENT.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String wire = m.group(1);
            String field = camel(wire);
            boolean known = SPEC_FIELDS.contains(field);
            m.appendReplacement(out, Matcher.quoteReplacement(known ? "'" + wire + "' (spec." + field + ")" : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static final java.util.Set<String> SPEC_FIELDS = java.util.Set.of("model", "runName", "team", "epochs", "batchSize",
            "priority", "gpuCount", "gpuType", "params", "spot", "schedule", "maxCost", "migProfile");

    static String camel(String wire) {
        StringBuilder out = new StringBuilder();
        boolean up = false;
        for (char c : wire.toCharArray()) {
            if (c == '_') {
                up = true;
            } else {
                out.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return out.toString();
    }

    /** The spec of the mirror of {@code job}, a job queued through MCP: what was asked, trainops's own params left out. */
    static TrainingJobSpec mirrorSpec(QueuedJob job, String maxCost) {
        JobSpec j = job.spec();
        TrainingJobSpec s = new TrainingJobSpec();
        s.setModel(j.model());
        s.setRunName(j.runName());
        s.setTeam(j.team());
        s.setEpochs(j.epochs());
        s.setBatchSize(j.batchSize());
        s.setPriority(j.priority().name());
        s.setGpuCount(j.gpuCount());
        s.setGpuType(j.gpuType());
        Map<String, String> params = new LinkedHashMap<>();
        j.params().forEach((k, v) -> {
            if (!k.startsWith("trainops.")) {
                params.put(k, v);
            }
        });
        s.setParams(params.isEmpty() ? null : params);
        s.setSpot(j.spot() ? Boolean.TRUE : null);
        String schedule = j.params().get("trainops.schedule");
        s.setSchedule(schedule);
        s.setMaxCost(maxCost);
        s.setMigProfile(j.migProfile());
        return s;
    }

    /** A job's max_cost as the CRD's decimal string, or null. */
    static String maxCost(QueuedJob job) {
        Long micros = job.maxCostMicros();
        return micros == null ? null : BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
    }

    /** Whether {@code tj} is the mirror of a job queued through MCP (it carries the label trainops.dev/job-id). */
    static boolean isMirror(TrainingJob tj) {
        return mirroredJob(tj) != null;
    }

    /** The job a mirror stands for (its label), or null when {@code tj} is not a mirror. */
    static String mirroredJob(TrainingJob tj) {
        Map<String, String> labels = tj.getMetadata().getLabels();
        return labels == null ? null : labels.get(KubeNames.LABEL_JOB_ID);
    }
}
