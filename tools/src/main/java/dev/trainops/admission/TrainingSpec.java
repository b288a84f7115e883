package dev.trainops.admission;

import dev.trainops.cost.Money;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;

/**
 * One training config of a TrainingJob's spec or a TrainingBatch's {@code spec.jobs[i]}: the
 * arguments of queue_training_job in camelCase (DESIGN.md, "Kubernetes API"), read from the object
 * as the API server sent it (a map: the review needs no typed class, and reads what the CRD's schema
 * already checked). A value the review cannot read is an {@link IllegalArgumentException} naming its field.
 *
 * @param field the path of this config in the object, e.g. {@code spec} or {@code spec.jobs[2]}
 */
record TrainingSpec(String field, String model, String runName, String team, int epochs, int batchSize, int gpuCount, String gpuType,
                    String migProfile, boolean spot, boolean offPeak, Long maxCostMicros) {

    static TrainingSpec parse(Map<?, ?> spec, String field) {
        if (spec == null) {
            throw new IllegalArgumentException(field + " is missing");
        }
        String model = text(spec, "model");
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException(field + ".model is required (the model to train, e.g. llm)");
        }
        int epochs = number(spec, "epochs", field, null);
        int batch = number(spec, "batchSize", field, null);
        int gpus = number(spec, "gpuCount", field, 1);
        String schedule = text(spec, "schedule");
        String maxCost = text(spec, "maxCost");
        return new TrainingSpec(field, model.trim(), text(spec, "runName"), text(spec, "team"), epochs, batch, gpus, blankToNull(text(spec,
                "gpuType")), blankToNull(text(spec, "migProfile")), Boolean.parseBoolean(String.valueOf(spec.get("spot"))),
                schedule != null && schedule.trim().toLowerCase(Locale.ROOT).equals("off_peak"),
                maxCost == null ? null : micros(maxCost, field + ".maxCost"));
    }

    /** A cap as a decimal string (maxCost, the trainops.dev/max-cost annotation), in micro-units. */
    static long micros(String value, String field) {
        try {
            BigDecimal v = new BigDecimal(value.trim());
            if (v.signum() <= 0 || v.scale() > Money.SCALE) {
                throw new NumberFormatException();
            }
            return v.movePointRight(Money.SCALE).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(field + " must be a positive decimal string with at most 6 decimals, e.g. \"5.00\" (got '"
                    + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "')");
        }
    }

    private static int number(Map<?, ?> spec, String key, String field, Integer fallback) {
        Object v = spec.get(key);
        if (v == null) {
            if (fallback == null) {
                throw new IllegalArgumentException(field + "." + key + " is required");
            }
            return fallback;
        }
        try {
            long n = v instanceof Number num ? num.longValue() : Long.parseLong(String.valueOf(v).trim());
            if (n < 1 || n > 1_048_576) {
                throw new NumberFormatException();
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + "." + key + " must be a whole number of at least 1 (got '" + v + "')");
        }
    }

    private static String text(Map<?, ?> spec, String key) {
        Object v = spec.get(key);
        return v == null ? null : String.valueOf(v);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The estimate's shape. */
    CachedFacts.Shape shape() {
        return new CachedFacts.Shape(model, epochs, batchSize, gpuType, migProfile, gpuCount, spot, offPeak);
    }
}
