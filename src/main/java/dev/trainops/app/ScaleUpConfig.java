package dev.trainops.app;

import dev.trainops.kube.KubeNames;
import dev.trainops.scaleup.ProvisioningRequests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code config/scale-up.yaml} (docs/kubernetes.md, "Scale-up"): whether the leader creates
 * ProvisioningRequests for URGENT jobs waiting for capacity, and of which provisioning class. The
 * file is optional: without it scale-up is off.
 *
 * @param enabled           {@code provisioning_requests.enabled}
 * @param provisioningClass {@code provisioning_requests.class}, one of {@link ProvisioningRequests#CLASSES}
 */
public record ScaleUpConfig(boolean enabled, String provisioningClass) {
    public static final String FILE = "scale-up.yaml";
    /** No file: off, and the class it would use when turned on. */
    public static final ScaleUpConfig DISABLED = new ScaleUpConfig(false, KubeNames.PROVISIONING_CLASS_CHECK_CAPACITY);

    public ScaleUpConfig {
        if (!ProvisioningRequests.CLASSES.contains(provisioningClass)) {
            throw new IllegalArgumentException("provisioning_requests.class must be " + String.join(" or ", ProvisioningRequests.CLASSES)
                    + ", was '" + provisioningClass + "'");
        }
    }

    /** Reads the file; an error names the key and what it may be (TrainopsConfig adds the file and the fix). */
    public static ScaleUpConfig load(Path file) throws IOException {
        JsonNode root = YAMLMapper.builder().build().readTree(Files.readString(file));
        if (root == null || root.isMissingNode() || root.isNull()) {
            return DISABLED;
        }
        only(root, "", java.util.List.of("provisioning_requests"));
        JsonNode pr = root.path("provisioning_requests");
        if (pr.isMissingNode() || pr.isNull()) {
            return DISABLED;
        }
        only(pr, "provisioning_requests.", java.util.List.of("enabled", "class"));
        JsonNode enabled = pr.path("enabled");
        if (!enabled.isMissingNode() && !enabled.isBoolean()) {
            throw new IllegalArgumentException("provisioning_requests.enabled must be true or false, was '" + enabled.asString("") + "'");
        }
        JsonNode type = pr.path("class");
        if (!type.isMissingNode() && !type.isString()) {
            throw new IllegalArgumentException("provisioning_requests.class must be " + String.join(" or ", ProvisioningRequests.CLASSES)
                    + ", was '" + type + "'");
        }
        return new ScaleUpConfig(enabled.asBoolean(false), type.isMissingNode() ? DISABLED.provisioningClass() : type.asString());
    }

    private static void only(JsonNode node, String prefix, java.util.List<String> keys) {
        String named = String.join(" and ", keys.stream().map(k -> prefix + k).toList());
        if (!node.isObject()) {
            throw new IllegalArgumentException((prefix.isEmpty() ? "the file" : prefix.substring(0, prefix.length() - 1))
                    + " must be a mapping with the keys " + named);
        }
        for (var e : node.properties()) {
            if (!keys.contains(e.getKey())) {
                throw new IllegalArgumentException("unknown key '" + prefix + e.getKey() + "'; the keys are " + named);
            }
        }
    }
}
