package dev.trainops.registry;

import dev.trainops.access.Access;
import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.Comparator;

/**
 * Who may move a model version to which stage (issue 18 item 3), decided on a snapshot of the
 * model and nothing else, so the rules are tested as tables.
 *
 * <ul>
 *   <li>A version holds at most one stage: the highest of its stage aliases, none when it has
 *       none. Moving it sets the target alias on it and releases its other stage aliases.</li>
 *   <li>Forward one stage (none to dev, dev to staging, staging to production) is a member's
 *       right on its own teams' models; skipping a stage or moving back is an admin's.</li>
 *   <li>Accuracy guard: a version whose accuracy is below that of the version now holding the
 *       target stage, or unknown while the holder's is known, moves only with {@code force}; the
 *       reason every promotion carries is then the record of why.</li>
 *   <li>Tenancy (DESIGN.md rules 1, 3, 4): a viewer is FORBIDDEN naming the write scope; another
 *       team's model, or one of no team for a non-admin, is NOT_FOUND as if it did not exist.</li>
 * </ul>
 */
public final class PromotionRules {
    static final String TOOL = "promote_model";
    /** MLflow's versions are strings of digits: 2 before 10. */
    private static final Comparator<String> BY_NUMBER = Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder());

    /** What is asked: put {@code version} of {@code model} in {@code stage}. */
    public record Promotion(String model, String version, Stage stage, String reason, boolean force) {
        public Promotion {
            Objects.requireNonNull(model, "model must not be null");
            Objects.requireNonNull(version, "version must not be null");
            Objects.requireNonNull(stage, "stage must not be null");
        }
    }

    /**
     * The model as MLflow has it now: its owning team (null when it has none), its versions, its
     * aliases (alias -> version) and the accuracy of each version whose accuracy is known.
     */
    public record ModelState(String name, String team, Set<String> versions, Map<String, String> aliases, Map<String, Double> accuracy) {
        public ModelState {
            Objects.requireNonNull(name, "name must not be null");
            versions = Set.copyOf(versions);
            aliases = Map.copyOf(aliases);
            accuracy = Map.copyOf(accuracy);
        }
    }

    /** What to do. */
    public sealed interface Decision {
        /** The version already holds the stage: nothing to change. */
        record AlreadyThere(String model, String version, Stage stage) implements Decision {
        }

        /**
         * Set {@code to}'s alias on the version (taking it from {@code previousHolder}, null when the
         * stage was empty) and delete the aliases in {@code release}, the version's other stages.
         * {@code from} is null for a version that held no stage; {@code forced} when the accuracy
         * guard was overridden.
         */
        record Move(String model, String version, Stage from, Stage to, String previousHolder, List<Stage> release, Kind kind,
                    boolean forced) implements Decision {
            public Move {
                release = List.copyOf(release);
            }
        }
    }

    /** How a move relates to the order of stages. */
    public enum Kind {
        FORWARD,
        SKIP,
        BACKWARD
    }

    public Decision decide(Principal who, Promotion p, ModelState model) {
        if (!who.canWrite()) {
            throw Access.forbiddenWrite(who, TOOL);
        }
        Access.requireVisible(who, model.team(), () -> new ToolException(ErrorCode.NOT_FOUND,
                "No registered model " + p.model() + ".", "Check the name with list_models."));
        if (p.reason() == null || p.reason().isBlank()) {
            throw ToolException.invalidArgument("reason", "promote_model needs a reason, for the record.",
                    "Say why, e.g. reason=\"beats production on the holdout set\".");
        }
        if (!model.versions().contains(p.version())) {
            throw new ToolException(ErrorCode.NOT_FOUND, p.model() + " has no version " + p.version() + "; it has "
                    + String.join(", ", model.versions().stream().sorted(BY_NUMBER).toList()) + ".", "Check the version with get_model_lineage.");
        }
        List<Stage> held = stagesOf(model, p.version());
        Stage from = held.isEmpty() ? null : held.get(held.size() - 1);
        if (from == p.stage()) {
            return new Decision.AlreadyThere(p.model(), p.version(), p.stage());
        }
        int step = p.stage().ordinal() - (from == null ? -1 : from.ordinal());
        Kind kind = step == 1 ? Kind.FORWARD : step > 1 ? Kind.SKIP : Kind.BACKWARD;
        if (kind != Kind.FORWARD && !who.isAdmin()) {
            String where = from == null ? "no stage" : from.alias();
            throw new ToolException(ErrorCode.FORBIDDEN, "Moving version " + p.version() + " of " + p.model() + " from " + where
                    + " to " + p.stage().alias() + (kind == Kind.SKIP ? " skips a stage" : " moves it back")
                    + "; only an admin may skip a stage or move a version back.",
                    kind == Kind.SKIP ? "Promote it one stage at a time (next: " + Stage.values()[from == null ? 0 : from.ordinal() + 1].alias()
                            + "), or ask an admin." : "Ask an admin to move it back.",
                    false, Map.of("required_role", Role.ADMIN.wireName(), "role", who.role().wireName()));
        }
        String holder = model.aliases().get(p.stage().alias());
        boolean forced = guardTrips(model, p, holder);
        if (forced && !p.force()) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("argument", "force");
            details.put("holder_version", holder);
            details.put("holder_accuracy", model.accuracy().get(holder));
            if (model.accuracy().containsKey(p.version())) {
                details.put("candidate_accuracy", model.accuracy().get(p.version()));
            }
            throw new ToolException(ErrorCode.INVALID_ARGUMENT, "Version " + p.version() + " of " + p.model() + " has "
                    + accuracyText(model, p.version()) + ", below version " + holder + " now in " + p.stage().alias() + " ("
                    + accuracyText(model, holder) + ").", "Pass force=true to promote it anyway; the reason is kept as why.", false,
                    details);
        }
        List<Stage> release = new ArrayList<>(held);
        release.remove(p.stage());
        return new Decision.Move(p.model(), p.version(), from, p.stage(), p.version().equals(holder) ? null : holder, release, kind, forced);
    }

    /** The stages a version holds, in stage order. */
    static List<Stage> stagesOf(ModelState model, String version) {
        List<Stage> held = new ArrayList<>();
        for (Stage s : Stage.values()) {
            if (version.equals(model.aliases().get(s.alias()))) {
                held.add(s);
            }
        }
        return held;
    }

    private static boolean guardTrips(ModelState model, Promotion p, String holder) {
        if (holder == null || holder.equals(p.version()) || !model.accuracy().containsKey(holder)) {
            return false;
        }
        Double candidate = model.accuracy().get(p.version());
        return candidate == null || candidate < model.accuracy().get(holder);
    }

    private static String accuracyText(ModelState model, String version) {
        Double a = model.accuracy().get(version);
        return a == null ? "no recorded accuracy" : "accuracy " + a;
    }
}
