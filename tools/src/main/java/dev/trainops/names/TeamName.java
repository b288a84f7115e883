package dev.trainops.names;

import dev.trainops.kube.KubeNames;
import java.util.Optional;

/** A team: its Kubernetes namespace, so a DNS label ({@link KubeNames#isNamespace}, the one rule for both). */
public record TeamName(String value) {
    private static final NameRule RULE = new NameRule(KubeNames::isNamespace,
            "must be a Kubernetes namespace name: lowercase letters, digits and -, at most 63", null);

    public TeamName {
        RULE.require(value, "a team name is a Kubernetes namespace name");
    }

    public static boolean isValid(String raw) {
        return RULE.matches(raw);
    }

    /** The team in {@code raw} (trimmed), or INVALID_ARGUMENT naming {@code argument}. */
    public static TeamName parse(String argument, String raw) {
        return new TeamName(RULE.parse(argument, raw, "Use the team's namespace, e.g. " + argument + "=team-a."));
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
