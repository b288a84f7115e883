package dev.trainops.monitor;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * The gauges behind {@link Metrics}: each series reads a value kept here (or a supplier asked at
 * every scrape), so a change shows on the next scrape; a series can be removed, so a job that ends
 * or a figure that becomes unknown is absent rather than 0.
 */
final class Gauges {
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "trainops.training.loss", "Latest validation (else training) loss of an active run.",
            "trainops.training.accuracy", "Latest validation accuracy of an active run (0-1).",
            "trainops.training.perplexity", "Latest validation perplexity of an active run.",
            "trainops.job.gpu.utilization", "GPU utilisation of a running job (0-1), from DCGM or the sandbox; absent when unknown.",
            "trainops.job.gpu.memory", "GPU memory used / total of a running job (0-1); absent when unknown.",
            "trainops.job.elapsed", "Seconds a running job has run.",
            "trainops.job.expected", "Seconds its history says the job should take.",
            "trainops.job.cost.to.cap", "Accrued cost / max_cost of a running job with a cap.",
            "trainops.quota.usage", "Quota used / limit of a team, by resource (gpu, cpu, memory_gib).");

    private final PrometheusMeterRegistry registry;
    private final Map<String, Double> values = new ConcurrentHashMap<>();
    private final Map<String, DoubleSupplier> suppliers = new ConcurrentHashMap<>();

    Gauges(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** A series at {@code initial} (an existing one keeps its value). */
    void register(String name, Tags tags, double initial, String description) {
        String k = key(name, tags);
        values.putIfAbsent(k, initial);
        Gauge.builder(name, () -> value(k)).description(description).tags(tags).baseUnit(unit(name)).register(registry);
    }

    boolean contains(String name, Tags tags) {
        return values.containsKey(key(name, tags));
    }

    /** The series reads {@code supplier} at every scrape (0 if it throws). */
    void supply(String name, Tags tags, DoubleSupplier supplier) {
        suppliers.put(key(name, tags), supplier);
    }

    void set(String name, Tags tags, double value) {
        String k = key(name, tags);
        if (!values.containsKey(k) && !suppliers.containsKey(k)) {
            register(name, tags, value, DESCRIPTIONS.getOrDefault(name, name));
        }
        values.put(k, value);
    }

    /** Sets the series when the value is known; removes it when not: unknown is absent, never 0. */
    void setOrClear(String name, Tags tags, OptionalDouble value) {
        if (value.isPresent()) {
            set(name, tags, value.getAsDouble());
            return;
        }
        if (values.remove(key(name, tags)) != null) {
            Meter m = registry.find(name).tags(tags).gauge();
            if (m != null) {
                registry.remove(m);
            }
        }
    }

    /** Removes the series of {@code names} whose {@code label} is not in {@code keep} (the "none" placeholders stay). */
    void retain(List<String> names, String label, Set<String> keep) {
        for (Meter m : List.copyOf(registry.getMeters())) {
            String value = m.getId().getTag(label);
            if (names.contains(m.getId().getName()) && value != null && !value.equals("none") && !keep.contains(value)) {
                registry.remove(m);
                values.remove(key(m.getId().getName(), Tags.of(m.getId().getTagsAsIterable())));
            }
        }
    }

    private double value(String k) {
        DoubleSupplier s = suppliers.get(k);
        if (s != null) {
            try {
                return s.getAsDouble();
            } catch (RuntimeException e) {
                return 0;
            }
        }
        return values.getOrDefault(k, 0.0);
    }

    private static String unit(String name) {
        if (name.endsWith(".wait") || name.endsWith(".elapsed") || name.endsWith(".expected") || name.endsWith(".timestamp")) {
            return "seconds";
        }
        if (name.startsWith("trainops.budget") || name.endsWith(".utilization") || name.endsWith(".memory") || name.endsWith(".to.cap")
                || name.equals("trainops.quota.usage")) {
            return "ratio";
        }
        return null;
    }

    private static String key(String name, Tags tags) {
        StringBuilder sb = new StringBuilder(name);
        tags.stream().sorted().forEach(t -> sb.append('|').append(t.getKey()).append('=').append(t.getValue()));
        return sb.toString();
    }
}
