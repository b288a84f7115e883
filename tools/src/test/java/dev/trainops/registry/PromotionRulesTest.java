package dev.trainops.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.registry.PromotionRules.Decision;
import dev.trainops.registry.PromotionRules.Kind;
import dev.trainops.registry.PromotionRules.ModelState;
import dev.trainops.registry.PromotionRules.Promotion;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The promotion rules of issue 18 item 3, as tables of model snapshots and expected decisions. */
class PromotionRulesTest {
    final PromotionRules rules = new PromotionRules();
    final Principal member = new Principal("alice", Set.of("team-a"), Role.MEMBER);
    final Principal admin = Principal.admin("root");

    /** llm-tiny of team-a: v1 in production (0.90), v2 in staging (0.88), v3 in dev (0.91), v4 unstaged (0.86). */
    final ModelState llmTiny = new ModelState("llm-tiny", "team-a", Set.of("1", "2", "3", "4"),
            Map.of("production", "1", "staging", "2", "dev", "3"), Map.of("1", 0.90, "2", 0.88, "3", 0.91, "4", 0.86));

    /** The ToolException the rules refuse with. */
    ToolException refusal(Principal who, Promotion promotion, ModelState model) {
        return catchThrowableOfType(ToolException.class, () -> rules.decide(who, promotion, model));
    }

    static Promotion promote(String version, Stage stage) {
        return new Promotion("llm-tiny", version, stage, "beats the holder on the holdout set", false);
    }

    @Test
    void aMemberMovesItsTeamsVersionForwardOneStageAndItLeavesItsFormerStage() {
        Decision d = rules.decide(member, promote("3", Stage.STAGING), llmTiny);

        assertThat(d).isEqualTo(new Decision.Move("llm-tiny", "3", Stage.DEV, Stage.STAGING, "2", List.of(Stage.DEV),
                Kind.FORWARD, false));
    }

    @Test
    void aVersionOfNoStageGoesForwardToDev() {
        ModelState fresh = new ModelState("llm-tiny", "team-a", Set.of("1"), Map.of(), Map.of());
        Decision d = rules.decide(member, promote("1", Stage.DEV), fresh);
        assertThat(d).isEqualTo(new Decision.Move("llm-tiny", "1", null, Stage.DEV, null, List.of(), Kind.FORWARD, false));
    }

    /** Forward one stage is a member's right; a skip or a move back is an admin's (every pair of stages). */
    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource({
            "none, DEV, FORWARD", "none, STAGING, SKIP", "none, PRODUCTION, SKIP",
            "DEV, STAGING, FORWARD", "DEV, PRODUCTION, SKIP",
            "STAGING, PRODUCTION, FORWARD", "STAGING, DEV, BACKWARD",
            "PRODUCTION, STAGING, BACKWARD", "PRODUCTION, DEV, BACKWARD"})
    void onlyForwardOneStageIsAMembersRight(String from, Stage to, Kind kind) {
        Map<String, String> aliases = from.equals("none") ? Map.of() : Map.of(Stage.valueOf(from).alias(), "7");
        ModelState model = new ModelState("llm-tiny", "team-a", Set.of("7"), aliases, Map.of());

        if (kind == Kind.FORWARD) {
            assertThat(rules.decide(member, promote("7", to), model)).isInstanceOfSatisfying(Decision.Move.class,
                    m -> assertThat(m.kind()).isEqualTo(Kind.FORWARD));
        } else {
            assertThat(refusal(member, promote("7", to), model)).satisfies(e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                assertThat(e.getMessage()).endsWith("only an admin may skip a stage or move a version back.");
                assertThat(e.details()).containsEntry("required_role", "admin");
            });
        }
        assertThat(rules.decide(admin, promote("7", to), model)).isInstanceOfSatisfying(Decision.Move.class,
                m -> assertThat(m.kind()).isEqualTo(kind));
    }

    @Test
    void aSkipNamesTheNextStageAndAMoveBackAsksAnAdmin() {
        assertThat(refusal(member, promote("3", Stage.PRODUCTION), llmTiny)).satisfies(e -> {
            assertThat(e.getMessage()).isEqualTo("Moving version 3 of llm-tiny from dev to production skips a stage;"
                    + " only an admin may skip a stage or move a version back.");
            assertThat(e.hint()).isEqualTo("Promote it one stage at a time (next: staging), or ask an admin.");
        });
        assertThat(refusal(member, promote("1", Stage.STAGING), llmTiny).hint()).isEqualTo("Ask an admin to move it back.");
    }

    @Test
    void anAdminRollsProductionBackAndTheVersionLeavesItsOtherStage() {
        ModelState model = new ModelState("llm-tiny", "team-a", Set.of("1", "2"), Map.of("production", "2", "staging", "2"),
                Map.of());
        Decision d = rules.decide(admin, promote("2", Stage.DEV), model);
        assertThat(d).isEqualTo(new Decision.Move("llm-tiny", "2", Stage.PRODUCTION, Stage.DEV, null,
                List.of(Stage.STAGING, Stage.PRODUCTION), Kind.BACKWARD, false));
    }

    @Test
    void aVersionAlreadyInTheStageIsLeftAlone() {
        assertThat(rules.decide(member, promote("2", Stage.STAGING), llmTiny)).isEqualTo(new Decision.AlreadyThere("llm-tiny", "2",
                Stage.STAGING));
    }

    // the accuracy guard

    @Test
    void accuracyGuardRefusesAVersionWorseThanTheHolderWithoutForce() {
        ModelState model = new ModelState("llm-tiny", "team-a", Set.of("1", "2"), Map.of("production", "1", "staging", "2"),
                Map.of("1", 0.90, "2", 0.88));

        assertThat(refusal(member, promote("2", Stage.PRODUCTION), model)).satisfies(e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).isEqualTo("Version 2 of llm-tiny has accuracy 0.88, below version 1 now in production"
                    + " (accuracy 0.9).");
            assertThat(e.hint()).isEqualTo("Pass force=true to promote it anyway; the reason is kept as why.");
            assertThat(e.details()).containsEntry("argument", "force").containsEntry("holder_version", "1")
                    .containsEntry("holder_accuracy", 0.90).containsEntry("candidate_accuracy", 0.88);
        });
    }

    @Test
    void accuracyGuardGivesWayToForceWithAReasonAndTheMoveSaysItWasForced() {
        ModelState model = new ModelState("llm-tiny", "team-a", Set.of("1", "2"), Map.of("production", "1", "staging", "2"),
                Map.of("1", 0.90, "2", 0.88));
        Decision d = rules.decide(member, new Promotion("llm-tiny", "2", Stage.PRODUCTION, "v1 leaks PII; 2 points is the price", true),
                model);
        assertThat(d).isInstanceOfSatisfying(Decision.Move.class, m -> {
            assertThat(m.forced()).isTrue();
            assertThat(m.previousHolder()).isEqualTo("1");
        });
    }

    @Test
    void accuracyGuardTreatsAnUnknownAccuracyAsNotShownToBeBetter() {
        ModelState model = new ModelState("llm-tiny", "team-a", Set.of("1", "2"), Map.of("production", "1", "staging", "2"),
                Map.of("1", 0.90));
        assertThat(refusal(member, promote("2", Stage.PRODUCTION), model))
                .hasMessageStartingWith("Version 2 of llm-tiny has no recorded accuracy, below version 1");
    }

    @Test
    void accuracyGuardLetsAnEqualOrBetterVersionThroughAndSaysNothingOverAnEmptyStageOrAHolderOfUnknownAccuracy() {
        assertThat(rules.decide(member, promote("3", Stage.STAGING), llmTiny)).isInstanceOfSatisfying(Decision.Move.class,
                m -> assertThat(m.forced()).isFalse()); // 0.91 over 0.88
        ModelState equal = new ModelState("m", "team-a", Set.of("1", "2"), Map.of("production", "1", "staging", "2"),
                Map.of("1", 0.9, "2", 0.9));
        assertThat(rules.decide(member, new Promotion("m", "2", Stage.PRODUCTION, "tie", false), equal)).isInstanceOf(Decision.Move.class);
        ModelState unknownHolder = new ModelState("m", "team-a", Set.of("1", "2"), Map.of("production", "1", "staging", "2"), Map.of());
        assertThat(rules.decide(member, new Promotion("m", "2", Stage.PRODUCTION, "why", false), unknownHolder))
                .isInstanceOf(Decision.Move.class);
        ModelState emptyStage = new ModelState("m", "team-a", Set.of("2"), Map.of("staging", "2"), Map.of("2", 0.1));
        assertThat(rules.decide(member, new Promotion("m", "2", Stage.PRODUCTION, "why", false), emptyStage))
                .isInstanceOf(Decision.Move.class);
    }

    @Test
    void everyPromotionNeedsAReason() {
        assertThat(refusal(member, new Promotion("llm-tiny", "3", Stage.STAGING, " ", true), llmTiny)).satisfies(e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.details()).containsEntry("argument", "reason");
            assertThat(e.getMessage()).isEqualTo("promote_model needs a reason, for the record.");
        });
    }

    // tenancy (DESIGN.md, "Identity and tenancy")

    @Test
    void rule3AViewerIsForbiddenNamingTheWriteScope() {
        Principal viewer = new Principal("vic", Set.of("team-a"), Role.VIEWER);
        assertThat(refusal(viewer, promote("3", Stage.STAGING), llmTiny)).satisfies(e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(e.details()).containsEntry("required_scope", "trainops:write");
        });
    }

    @Test
    void rule1AnotherTeamsModelIsNotFoundAsIfItDidNotExist() {
        Principal bob = new Principal("bob", Set.of("team-b"), Role.MEMBER);
        assertThat(refusal(bob, promote("3", Stage.STAGING), llmTiny)).satisfies(e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(e.getMessage()).isEqualTo("No registered model llm-tiny.");
        });
        // not even the version list or the accuracy guard gives it away
        assertThat(refusal(bob, promote("99", Stage.PRODUCTION), llmTiny)).hasMessage("No registered model llm-tiny.");
    }

    @Test
    void rule4AnAdminActsOnEveryTeamAndAModelOfNoTeamIsForAdminsOnly() {
        ModelState noTeam = new ModelState("orphan", null, Set.of("1"), Map.of(), Map.of());
        assertThat(refusal(member, new Promotion("orphan", "1", Stage.DEV, "why", false), noTeam).code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(rules.decide(admin, new Promotion("orphan", "1", Stage.DEV, "why", false), noTeam)).isInstanceOf(Decision.Move.class);
        ModelState teamB = new ModelState("other", "team-b", Set.of("1"), Map.of(), Map.of());
        assertThat(rules.decide(admin, new Promotion("other", "1", Stage.DEV, "why", false), teamB)).isInstanceOf(Decision.Move.class);
    }

    @Test
    void anUnknownVersionIsNotFoundNamingTheVersionsThereAre() {
        assertThat(refusal(member, promote("9", Stage.DEV), llmTiny)).satisfies(e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(e.getMessage()).isEqualTo("llm-tiny has no version 9; it has 1, 2, 3, 4.");
        });
    }

    @Test
    void stagesAreTheThreeAliasesAndAnythingElseIsAnInvalidArgument() {
        assertThat(Stage.parse(" Production")).isEqualTo(Stage.PRODUCTION);
        assertThat(Stage.STAGING.alias()).isEqualTo("staging");
        assertThat(Stage.ofAlias("champion")).isEmpty();
        assertThatThrownBy(() -> Stage.parse("Archived")).isInstanceOfSatisfying(ToolException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).isEqualTo("stage must be dev, staging or production, was 'Archived'.");
        });
    }
}
