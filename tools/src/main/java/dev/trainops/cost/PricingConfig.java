package dev.trainops.cost;

import dev.trainops.kube.SpotNodes;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reads {@code config/pricing.yaml} into a {@link PriceBook}; money as decimal strings, never floats. */
public final class PricingConfig {
    private PricingConfig() {
    }

    public static PriceBook load(Path file) throws IOException {
        JsonNode root = YAMLMapper.builder().build().readTree(Files.readString(file));
        String currency = text(root, "currency", file);
        ZoneId zone = ZoneId.of(text(root, "time_zone", file));
        List<PriceList> lists = new ArrayList<>();
        JsonNode versions = root.get("versions");
        if (versions == null || !versions.isArray() || versions.isEmpty()) {
            throw new IllegalArgumentException(file + ": 'versions' must list at least one price list");
        }
        for (JsonNode v : versions) {
            Map<String, BigDecimal> gpus = new LinkedHashMap<>();
            JsonNode gpuNode = v.get("gpu_hour");
            if (gpuNode == null || !gpuNode.isObject()) {
                throw new IllegalArgumentException(file + ": each version needs a gpu_hour map");
            }
            for (var e : gpuNode.properties()) {
                gpus.put(e.getKey(), decimal(e.getValue(), "gpu_hour." + e.getKey(), file));
            }
            JsonNode tariff = v.get("tariff");
            List<TariffCalendar.Window> windows = new ArrayList<>();
            for (JsonNode w : tariff.get("off_peak")) {
                windows.add(new TariffCalendar.Window(LocalTime.parse(text(w, "start", file)), LocalTime.parse(text(w, "end", file))));
            }
            TariffCalendar calendar = new TariffCalendar(zone, windows, decimal(tariff.get("off_peak_multiplier"), "off_peak_multiplier", file),
                    tariff.path("weekends_off_peak").asBoolean(false));
            JsonNode spot = v.get("spot");
            lists.add(new PriceList(text(v, "version", file), Instant.parse(text(v, "effective_from", file)), Money.currency(currency), gpus,
                    decimal(v.get("cpu_core_hour"), "cpu_core_hour", file), decimal(v.get("memory_gib_hour"), "memory_gib_hour", file),
                    calendar, decimal(spot.get("discount"), "spot.discount", file),
                    decimal(spot.get("interruptions_per_hour"), "spot.interruptions_per_hour", file)));
        }
        return new PriceBook(lists, spotNodes(root.get("spot"), file));
    }

    /**
     * The top-level {@code spot} block: {@code node_labels} (key=value, any one marks a spot node)
     * and {@code tolerations} (what a spot Job gets); either absent means the defaults of {@link SpotNodes#DEFAULTS}.
     */
    static SpotNodes spotNodes(JsonNode spot, Path file) {
        if (spot == null || spot.isNull()) {
            return SpotNodes.DEFAULTS;
        }
        List<SpotNodes.Label> labels = new ArrayList<>();
        JsonNode labelNode = spot.get("node_labels");
        if (labelNode != null && !labelNode.isArray()) {
            throw new IllegalArgumentException(file + ": 'spot.node_labels' must be a list of key=value strings");
        }
        if (labelNode != null) {
            for (int i = 0; i < labelNode.size(); i++) {
                labels.add(SpotNodes.Label.parse(labelNode.get(i).asString(), file + ": 'spot.node_labels[" + i + "]'"));
            }
        }
        List<io.fabric8.kubernetes.api.model.Toleration> tolerations = new ArrayList<>();
        JsonNode tolNode = spot.get("tolerations");
        if (tolNode != null && !tolNode.isArray()) {
            throw new IllegalArgumentException(file + ": 'spot.tolerations' must be a list of {key, operator, value, effect}");
        }
        if (tolNode != null) {
            for (int i = 0; i < tolNode.size(); i++) {
                JsonNode t = tolNode.get(i);
                String where = "spot.tolerations[" + i + "]";
                String operator = t.path("operator").asString("Equal");
                if (!operator.equals("Equal") && !operator.equals("Exists")) {
                    throw new IllegalArgumentException(file + ": '" + where + ".operator' must be Equal or Exists, not " + operator);
                }
                tolerations.add(new io.fabric8.kubernetes.api.model.TolerationBuilder().withKey(text(t, "key", file))
                        .withOperator(operator).withValue(operator.equals("Exists") ? null : text(t, "value", file))
                        .withEffect(t.path("effect").isMissingNode() ? null : t.path("effect").asString()).build());
            }
        }
        return new SpotNodes(labelNode == null ? SpotNodes.DEFAULTS.nodeLabels() : labels,
                tolNode == null ? SpotNodes.DEFAULTS.tolerations() : tolerations);
    }

    private static String text(JsonNode node, String field, Path file) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.asString().isBlank()) {
            throw new IllegalArgumentException(file + ": '" + field + "' is required");
        }
        return v.asString();
    }

    /** Money and rates must be quoted strings: YAML numbers would pass through binary floating point. */
    private static BigDecimal decimal(JsonNode v, String field, Path file) {
        if (v == null || !v.isString()) {
            throw new IllegalArgumentException(file + ": '" + field + "' must be a quoted decimal string such as \"6.88\"");
        }
        try {
            return new BigDecimal(v.asString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": '" + field + "' is not a decimal: " + v.asString());
        }
    }
}
