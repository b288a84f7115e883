package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.PromptLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The prompts ship in the jar too: its index lists every prompt file, and the bundled copy reads as the folder does. */
class PromptsBundleTest {
    static final Path PROMPTS = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath().resolveSibling("prompts");

    @Test
    void theIndexListsEveryPromptFile() throws Exception {
        List<String> files;
        try (Stream<Path> s = Files.list(PROMPTS)) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".md") && !n.equals("README.md")).sorted().toList();
        }
        assertThat(Files.readAllLines(PROMPTS.resolve("index.txt")).stream().filter(l -> !l.isBlank()).sorted().toList()).isEqualTo(files);
    }

    @Test
    void theBundledCopyReadsAsTheFolderDoes() throws Exception {
        PromptLibrary folder = PromptLibrary.load(PROMPTS);
        PromptLibrary bundled = PromptLibrary.loadOrBundled(Path.of("/nonexistent/prompts"));
        assertThat(bundled.prompts()).isEqualTo(folder.prompts());
        assertThat(bundled.system("agent-system")).isEqualTo(folder.system("agent-system")).isPresent();
        assertThat(bundled.prompts()).extracting(PromptLibrary.Prompt::name)
                .containsExactly("cost_review", "promote_best_model", "train_cheaper", "train_within_budget", "why_is_my_job_pending");
    }
}
