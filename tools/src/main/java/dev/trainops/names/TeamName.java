package dev.trainops.names;

import dev.trainops.catalog.Json;
import dev.trainops.catalog.ToolException;
import dev.trainops.kube.KubeNames;
import java.util.Objects;
import java.util.Optional;

/** A team: its Kubernetes namespace, so a DNS label ({@link KubeNames#isNamespace}). */
public record TeamName(String value) {
    public TeamName {
        Objects.requireNonNull(value, "value");
        if (!isValid(value)) {
            throw new IllegalArgumentException("a team name is a Kubernetes namespace name, not " + Json.shorten(value));
        }
    }

    public static boolean isValid(String raw) {
        return KubeNames.isNamespace(raw);
    }

    /** The team in {@code raw} (trimmed), or INVALID_ARGUMENT naming {@code argument}. */
    public static TeamName parse(String argument, String raw) {
        String v = raw == null ? "" : raw.trim();
        if (!isValid(v)) {
            throw ToolException.invalidArgument(argument, "Argument '" + argument + "' must be a Kubernetes namespace name: lowercase "
                    + "letters, digits and -, at most 63 (got '" + Json.shorten(v) + "').", "Use the team's namespace, e.g. "
                    + argument + "=team-a.");
        }
        return new TeamName(v);
    }

    /** As {@link #parse}, with a missing or blank {@code raw} as empty. */
    public static Optional<TeamName> parseOptional(String argument, String raw) {
        return raw == null || raw.isBlank() ? Optional.empty() : Optional.of(parse(argument, raw));
    }

    @Override
    public String toString() {
        return value;
    }
}
