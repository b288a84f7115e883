package dev.trainops.queue;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads config/jobs.yaml's templates (docs/queue.md, "Job templates"): every key is checked at
 * start (known key, right type, known placeholders, valid quantities, the Kubernetes rules for
 * tolerations, mounts that name a volume), and an error names the file, the key path and the fix.
 * A model's template takes each key it leaves out from {@code default}.
 */
final class JobTemplateLoader {
    static final List<String> KEYS = List.of("image", "command", "args", "params", "env", "checkpoint", "artifact_dir", "volumes",
            "volumeMounts", "tolerations", "nodeSelector", "affinity", "serviceAccountName", "imagePullSecrets", "securityContext",
            "containerSecurityContext", "cpu_per_gpu", "memory_per_gpu", "active_deadline_seconds");
    private static final List<String> REQUIRED = List.of("image", "cpu_per_gpu", "memory_per_gpu");

    private final Path file;
    private final KubernetesFields kube;

    JobTemplateLoader(Path file) {
        this.file = file;
        this.kube = new KubernetesFields(this::error);
    }

    IllegalArgumentException error(String path, String problem) {
        return new IllegalArgumentException(file + ": " + path + " " + problem);
    }

    /** Every template, {@code default} first, each with what it inherits filled in. */
    Map<String, JobTemplate> templates(JsonNode templates) {
        if (templates == null || !templates.isObject() || !templates.has(JobTemplates.DEFAULT)) {
            throw error("templates", "must be a map with at least a 'default' template (image, cpu_per_gpu, memory_per_gpu, ...)");
        }
        JsonNode base = templates.get(JobTemplates.DEFAULT);
        if (!base.isObject()) {
            throw error("templates.default", "must be a map of template keys (" + String.join(", ", KEYS) + ")");
        }
        for (String key : REQUIRED) {
            if (!base.has(key) || base.get(key).isNull()) {
                throw error("templates.default." + key, "is required in the default template");
            }
        }
        Map<String, JobTemplate> out = new LinkedHashMap<>();
        out.put(JobTemplates.DEFAULT, template(JobTemplates.DEFAULT, (ObjectNode) base, (ObjectNode) base));
        for (var e : templates.properties()) {
            if (!e.getKey().equals(JobTemplates.DEFAULT)) {
                if (!e.getValue().isObject()) {
                    throw error("templates." + e.getKey(), "must be a map of template keys; leave a key out to take it from default");
                }
                out.put(e.getKey(), template(e.getKey(), (ObjectNode) base, (ObjectNode) e.getValue()));
            }
        }
        return out;
    }

    private JobTemplate template(String name, ObjectNode base, ObjectNode own) {
        for (var e : own.properties()) {
            if (!KEYS.contains(e.getKey())) {
                throw error("templates." + name + "." + e.getKey(), "is not a template key; the keys are " + String.join(", ", KEYS));
            }
        }
        Keys k = new Keys(name, base, own);
        Map<String, String> params = stringMap(k, "params");
        Set<String> defaults = params.keySet();
        String image = placeholders(k, "image", text(k, "image"), defaults, Set.of());
        List<String> command = placeholders(k, "command", strings(k, "command"), defaults);
        List<String> args = placeholders(k, "args", strings(k, "args"), defaults);
        List<EnvVar> env = list(k, "env", EnvVar.class);
        for (int i = 0; i < env.size(); i++) {
            EnvVar v = env.get(i);
            if (v.getName() == null || v.getName().isBlank()) {
                throw error(k.path("env") + "[" + i + "].name", "is required");
            }
            if (v.getValue() != null) {
                placeholders(k, "env", v.getValue(), defaults, Set.of(), "[" + i + "].value");
            }
        }
        JobTemplate.Checkpoint checkpoint = checkpoint(k, defaults);
        List<Volume> volumes = list(k, "volumes", Volume.class);
        Set<String> volumeNames = new HashSet<>();
        for (int i = 0; i < volumes.size(); i++) {
            String v = volumes.get(i).getName();
            if (v == null || v.isBlank() || v.equals(JobTemplate.CHECKPOINT_VOLUME) || !volumeNames.add(v)) {
                throw error(k.path("volumes") + "[" + i + "].name", "must be a unique volume name other than '"
                        + JobTemplate.CHECKPOINT_VOLUME + "' (the checkpoint volume's)");
            }
        }
        List<VolumeMount> mounts = list(k, "volumeMounts", VolumeMount.class);
        for (int i = 0; i < mounts.size(); i++) {
            VolumeMount m = mounts.get(i);
            if (m.getName() == null || !volumeNames.contains(m.getName())) {
                throw error(k.path("volumeMounts") + "[" + i + "].name", "must name one of the template's volumes (" + volumeNames
                        + "); the checkpoint volume is mounted by 'checkpoint'");
            }
            if (m.getMountPath() == null || !m.getMountPath().startsWith("/")) {
                throw error(k.path("volumeMounts") + "[" + i + "].mountPath", "must be an absolute path, e.g. /data");
            }
        }
        String artifactDir = artifactDir(k, defaults, checkpoint, volumes, mounts);
        List<Toleration> tolerations = list(k, "tolerations", Toleration.class);
        for (int i = 0; i < tolerations.size(); i++) {
            kube.toleration(tolerations.get(i), k.path("tolerations") + "[" + i + "]");
        }
        List<LocalObjectReference> pullSecrets = list(k, "imagePullSecrets", LocalObjectReference.class);
        for (int i = 0; i < pullSecrets.size(); i++) {
            if (pullSecrets.get(i).getName() == null || pullSecrets.get(i).getName().isBlank()) {
                throw error(k.path("imagePullSecrets") + "[" + i + "].name", "is required: the Secret's name, e.g. {name: registry-creds}");
            }
        }
        return new JobTemplate(name, image, command, args, params, env, checkpoint, artifactDir, volumes, mounts, tolerations,
                stringMap(k, "nodeSelector"), kube(k, "affinity", Affinity.class), optionalText(k, "serviceAccountName"), pullSecrets,
                kube(k, "securityContext", PodSecurityContext.class), kube(k, "containerSecurityContext", SecurityContext.class),
                quantity(k, "cpu_per_gpu", "\"8\" or \"7500m\""), quantity(k, "memory_per_gpu", "64Gi"), timeLimit(k));
    }

    private JobTemplate.Checkpoint checkpoint(Keys k, Set<String> defaults) {
        JsonNode node = k.get("checkpoint");
        if (node == null) {
            return null;
        }
        String path = k.path("checkpoint");
        if (!node.isObject()) {
            throw error(path, "must be a map {claim_name, mount_path, dir}, or null for no checkpoint volume");
        }
        for (var e : node.properties()) {
            if (!List.of("claim_name", "mount_path", "dir").contains(e.getKey())) {
                throw error(path + "." + e.getKey(), "is not a checkpoint key; the keys are claim_name, mount_path, dir");
            }
        }
        Keys c = new Keys(k.name + ".checkpoint", (ObjectNode) node, (ObjectNode) node) {
            @Override
            String path(String key) {
                return path + "." + key;
            }

            @Override
            String inTemplate(String key) {
                return k.inTemplate("checkpoint");
            }
        };
        String claim = placeholders(c, "claim_name", text(c, "claim_name"), defaults, Set.of("checkpoint_dir", "artifact_dir"));
        String mount = text(c, "mount_path");
        if (!mount.startsWith("/")) {
            throw error(path + ".mount_path", "must be an absolute path, e.g. /checkpoints");
        }
        String dir = placeholders(c, "dir", text(c, "dir"), defaults, Set.of("checkpoint_dir", "artifact_dir"));
        if (!dir.startsWith(mount)) {
            throw error(path + ".dir", "must lie under mount_path " + mount + ", e.g. " + mount + "/{{job_id}}, or the checkpoints "
                    + "would not survive the pod");
        }
        return new JobTemplate.Checkpoint(claim, mount, dir);
    }

    /**
     * {@code artifact_dir}, where the trainer writes its model (TRAINOPS_MODEL_ARTIFACT_DIR): an
     * absolute path on a volume that outlives the pod, one directory per run, and the team's own: the
     * checkpoint claim lives in the team's namespace, any other kept volume may be shared by teams and
     * needs {@code {{team}}} in the path (docs/queue.md, "Job templates").
     */
    private String artifactDir(Keys k, Set<String> defaults, JobTemplate.Checkpoint checkpoint, List<Volume> volumes, List<VolumeMount> mounts) {
        if (k.get("artifact_dir") == null) {
            return null;
        }
        String key = "artifact_dir";
        String dir = placeholders(k, key, text(k, key), defaults, Set.of(key));
        String example = (checkpoint == null ? ", e.g. /models/{{run_name}} with a volume mounted at /models" : ", e.g. " + checkpoint.mountPath()
                + "/models/{{run_name}}") + k.inTemplate(key);
        String resolved = Placeholders.PLACEHOLDER.matcher(dir).replaceAll("{{$1}}");
        if (checkpoint != null) {
            resolved = resolved.replace("{{checkpoint_dir}}", Placeholders.PLACEHOLDER.matcher(checkpoint.dir()).replaceAll("{{$1}}"));
        }
        if (!resolved.startsWith("/")) {
            throw error(k.path(key), "must be an absolute path on a mounted volume" + example);
        }
        String volume = null;
        String mountPath = "";
        if (checkpoint != null && under(resolved, checkpoint.mountPath())) {
            volume = JobTemplate.CHECKPOINT_VOLUME;
            mountPath = checkpoint.mountPath();
        }
        for (VolumeMount m : mounts) {
            if (under(resolved, m.getMountPath()) && m.getMountPath().length() > mountPath.length()) {
                volume = m.getName();
                mountPath = m.getMountPath();
            }
        }
        String name = volume;
        Volume v = volumes.stream().filter(x -> x.getName().equals(name)).findFirst().orElse(null);
        if (volume == null || v != null && v.getEmptyDir() != null) {
            throw error(k.path(key), (volume == null ? "must lie under a mounted volume" : "lies on volume '" + volume + "', an emptyDir, which "
                    + "is deleted with the pod; put it under a volume that outlives the pod") + " (checkpoint.mount_path"
                    + (checkpoint == null ? "" : " " + checkpoint.mountPath()) + ", or a volumeMounts mountPath), or the model is lost with "
                    + "the pod" + example);
        }
        if (!resolved.contains("{{run_name}}") && !resolved.contains("{{job_id}}")) {
            throw error(k.path(key), "must contain {{run_name}} (or {{job_id}}) so that each run writes its own model" + example);
        }
        if (v != null && v.getPersistentVolumeClaim() == null && !resolved.contains("{{team}}")) {
            throw error(k.path(key), "lies on volume '" + volume + "', which is not a PersistentVolumeClaim in the team's namespace and may be "
                    + "shared by teams: add {{team}}, e.g. " + mountPath + "/{{team}}/{{run_name}}" + k.inTemplate(key));
        }
        return dir;
    }

    private static boolean under(String path, String mountPath) {
        String m = mountPath.endsWith("/") ? mountPath.substring(0, mountPath.length() - 1) : mountPath;
        return path.startsWith(m + "/");
    }

    private String placeholders(Keys k, String key, String text, Set<String> defaults, Set<String> forbidden) {
        return placeholders(k, key, text, defaults, forbidden, "");
    }

    private String placeholders(Keys k, String key, String text, Set<String> defaults, Set<String> forbidden, String suffix) {
        Placeholders.problem(text, defaults, forbidden).ifPresent(p -> {
            throw error(k.path(key) + suffix, p + k.inTemplate(key));
        });
        return text;
    }

    private List<String> placeholders(Keys k, String key, List<String> texts, Set<String> defaults) {
        for (int i = 0; i < texts.size(); i++) {
            placeholders(k, key, texts.get(i), defaults, Set.of(), "[" + i + "]");
        }
        return texts;
    }

    private String text(Keys k, String key) {
        JsonNode v = k.get(key);
        if (v == null || !v.isString() || v.asString().isBlank()) {
            throw error(k.path(key), v == null ? "is required" : "must be a non-empty string");
        }
        return v.asString();
    }

    private String optionalText(Keys k, String key) {
        return k.get(key) == null ? null : text(k, key);
    }

    private List<String> strings(Keys k, String key) {
        JsonNode v = k.get(key);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw error(k.path(key), "must be a list of strings, e.g. [\"--epochs\", \"{{epochs}}\"]");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isValueNode() || v.get(i).isNull()) {
                throw error(k.path(key) + "[" + i + "]", "must be a string");
            }
            out.add(v.get(i).asString());
        }
        return out;
    }

    private Map<String, String> stringMap(Keys k, String key) {
        JsonNode v = k.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw error(k.path(key), "must be a map of names to strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : v.properties()) {
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw error(k.path(key) + "." + e.getKey(), "must be a string");
            }
            out.put(e.getKey(), e.getValue().asString());
        }
        return out;
    }

    private Quantity quantity(Keys k, String key, String example) {
        JsonNode v = k.get(key);
        if (v == null || !(v.isString() || v.isNumber())) {
            throw error(k.path(key), "must be a Kubernetes quantity such as " + example);
        }
        Quantity q = new Quantity(v.asString());
        try {
            if (Quantity.getAmountInBytes(q).signum() <= 0) {
                throw new IllegalArgumentException();
            }
        } catch (RuntimeException e) {
            throw error(k.path(key), "is not a positive Kubernetes quantity (was " + v.asString() + "); write one such as " + example);
        }
        return q;
    }

    /** {@code active_deadline_seconds}: a fixed time limit, a whole number of seconds above 0, or null for none. */
    private Long timeLimit(Keys k) {
        JsonNode v = k.get("active_deadline_seconds");
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() <= 0) {
            throw error(k.path("active_deadline_seconds"), "must be a whole number of seconds above 0, e.g. 86400 for 24 h (was "
                    + v.toString() + "); leave it out, or null, for no fixed time limit");
        }
        return v.asLong();
    }

    private <T> List<T> list(Keys k, String key, Class<T> type) {
        JsonNode v = k.get(key);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw error(k.path(key), "must be a list, as in a pod spec");
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(kube.convert(v.get(i), type, k.path(key) + "[" + i + "]"));
        }
        return out;
    }

    private <T> T kube(Keys k, String key, Class<T> type) {
        JsonNode v = k.get(key);
        return v == null ? null : kube.convert(v, type, k.path(key));
    }

    /** {@code deadline: {factor, slack_seconds}}, or null when the file has none. */
    JobTemplates.Deadline deadline(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw error("deadline", "must be a map {factor: \"2\", slack_seconds: 1800}");
        }
        for (var e : node.properties()) {
            if (!List.of("factor", "slack_seconds").contains(e.getKey())) {
                throw error("deadline." + e.getKey(), "is not a deadline key; the keys are factor, slack_seconds");
            }
        }
        BigDecimal factor;
        try {
            factor = new BigDecimal(node.path("factor").asString(""));
        } catch (NumberFormatException e) {
            throw error("deadline.factor", "must be a decimal string of at least 1, e.g. \"2\"");
        }
        if (factor.compareTo(BigDecimal.ONE) < 0) {
            throw error("deadline.factor", "must be at least 1 (was " + factor.toPlainString() + "): a deadline below the estimate "
                    + "would stop jobs that run as expected");
        }
        JsonNode slack = node.get("slack_seconds");
        if (slack == null || !slack.isIntegralNumber() || slack.asLong() < 0) {
            throw error("deadline.slack_seconds", "must be a whole number of seconds, 0 or more, e.g. 1800");
        }
        return new JobTemplates.Deadline(factor, slack.asLong());
    }

    /** A template's keys: its own where it names them (null there meaning none), else the default template's. */
    private class Keys {
        final String name;
        final ObjectNode base;
        final ObjectNode own;

        Keys(String name, ObjectNode base, ObjectNode own) {
            this.name = name;
            this.base = base;
            this.own = own;
        }

        JsonNode get(String key) {
            JsonNode v = own.has(key) ? own.get(key) : base.get(key);
            return v == null || v.isNull() ? null : v;
        }

        String path(String key) {
            return "templates." + (own.has(key) ? name : JobTemplates.DEFAULT) + "." + key;
        }

        /** Where an inherited key is checked against this template's own params, say which template. */
        String inTemplate(String key) {
            return own.has(key) || name.equals(JobTemplates.DEFAULT) ? "" : " (in template '" + name + "', which inherits it)";
        }
    }
}
