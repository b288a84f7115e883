package dev.trainops.registry;

import dev.trainops.catalog.ToolException;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a model version stands, kept in MLflow as an alias of the same name (never MLflow's
 * deprecated stages). In order: a version goes forward one stage at a time.
 */
public enum Stage {
    DEV,
    STAGING,
    PRODUCTION;

    /** The MLflow alias that holds this stage: {@code dev}, {@code staging}, {@code production}. */
    public String alias() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The stage an alias holds, if it is one of the three. */
    public static Optional<Stage> ofAlias(String alias) {
        for (Stage s : values()) {
            if (s.alias().equals(alias)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** Parses a promote_model {@code stage}; anything else is INVALID_ARGUMENT naming the three. */
    public static Stage parse(String value) {
        return ofAlias(value == null ? null : value.trim().toLowerCase(Locale.ROOT)).orElseThrow(() -> ToolException.invalidArgument("stage",
                "stage must be dev, staging or production, was '" + value + "'.", "Use stage=dev, stage=staging or stage=production."));
    }
}
