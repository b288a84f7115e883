package dev.trainops.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.catalog.Completions.Kind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * promote_best_model's {@code model} names a registered model (front matter {@code completes:
 * registered_model}): it completes from the caller's registered models, not from trained models,
 * and another team's model is NOT_FOUND like one that does not exist (rule 5).
 */
class RegisteredModelArgumentTest {
    final Principal alice = new Principal("alice", Set.of("team-a"), Role.MEMBER);
    final Map<String, String> owners = Map.of("a-model", "team-a", "b-model", "team-b");
    final Completions completions = Completions.builder()
            .add(Kind.MODEL, () -> List.of("llm", "mnist"))
            .addFor(Kind.REGISTERED_MODEL, p -> owners.keySet().stream().filter(m -> p.sees(owners.get(m))).sorted().toList())
            .modelVisible((m, p) -> owners.containsKey(m) && p.sees(owners.get(m)))
            .build();

    PromptLibrary.Prompt prompt() throws Exception {
        return PromptLibrary.load(Path.of("../prompts")).prompts().stream().filter(p -> p.name().equals("promote_best_model")).findFirst()
                .orElseThrow();
    }

    @Test
    void theModelArgumentCompletesFromTheCallersRegisteredModels() throws Exception {
        String kind = PromptLibrary.kindOf(prompt(), "model");
        assertThat(kind).isEqualTo("registered_model");
        assertThat(completions.complete(kind, "", alice).values()).containsExactly("a-model");
        assertThat(completions.complete(kind, "", Principal.LOCAL).values()).containsExactly("a-model", "b-model");
    }

    @Test
    void anotherTeamsModelIsNotFoundLikeOneThatDoesNotExist() throws Exception {
        Map<String, String> theirs = PromptLibrary.byKind(prompt(), Map.of("model", "b-model"));
        Map<String, String> none = PromptLibrary.byKind(prompt(), Map.of("model", "no-model"));

        completions.requireVisible(PromptLibrary.byKind(prompt(), Map.of("model", "a-model")), alice);
        assertThatThrownBy(() -> completions.requireVisible(theirs, alice)).isInstanceOf(ToolException.class)
                .hasMessage("No registered model 'b-model'.");
        assertThatThrownBy(() -> completions.requireVisible(none, alice)).isInstanceOf(ToolException.class)
                .hasMessage("No registered model 'no-model'.");
        completions.requireVisible(theirs, Principal.LOCAL); // an admin sees every model
    }

    @Test
    void aTrainedModelArgumentStaysWhatItWas() throws Exception {
        PromptLibrary.Prompt budget = PromptLibrary.load(Path.of("../prompts")).prompts().stream()
                .filter(p -> p.name().equals("train_within_budget")).findFirst().orElseThrow();
        assertThat(PromptLibrary.kindOf(budget, "model")).isEqualTo("model");
        completions.requireVisible(PromptLibrary.byKind(budget, Map.of("model", "mnist")), alice);
    }
}
