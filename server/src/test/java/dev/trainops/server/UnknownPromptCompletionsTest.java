package dev.trainops.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UnknownPromptCompletionsTest {
    final UnknownPromptCompletions rewriter = new UnknownPromptCompletions(() -> Set.of("cost_review"));

    static String complete(String prompt) {
        return "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":\"ref/prompt\",\"name\":\""
                + prompt + "\"},\"argument\":{\"name\":\"arg1\",\"value\":\"te\"}}}";
    }

    @Test
    void aCompletionForAPromptTheServerDoesNotHaveAsksForAFixedResourceInstead() {
        String rewritten = rewriter.rewrite(complete("test_prompt_with_arguments"));

        assertThat(rewritten).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"completion/complete\",\"params\":{\"ref\":"
                + "{\"type\":\"ref/resource\",\"uri\":\"trainops://pricing\"},\"argument\":{\"name\":\"arg1\",\"value\":\"te\"}}}");
    }

    @Test
    void everythingElsePassesUntouched() {
        for (String m : new String[] {complete("cost_review"), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                "not json completion/complete", "[" + complete("nope") + "]",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"x\"}}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":\"ref/prompt\",\"name\":5}}}"}) {
            assertThat(rewriter.rewrite(m)).isEqualTo(m);
        }
    }

    @Test
    void overStdioEachLineIsRewrittenAndTheRestPassesByteForByte() throws Exception {
        String in = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n" + complete("nope") + "\n" + "tail without newline";

        String out = new String(rewriter.lines(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8))).readAllBytes(),
                StandardCharsets.UTF_8);

        assertThat(out).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n" + rewriter.rewrite(complete("nope")) + "\n"
                + "tail without newline");
        assertThat(out).contains("trainops://pricing").doesNotContain("\"nope\"");
    }
}
