package dev.trainops.app;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code trainops chat} end to end against a WireMock'd OpenAI endpoint, and without any endpoint. */
class ChatCommandTest {
    static final String CONFIG = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath().toString();

    static String completion(String message, String finish) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1796000000,\"model\":\"gpt-test\",\"choices\":[{\"index\":0,"
                + "\"message\":" + message + ",\"finish_reason\":\"" + finish + "\"}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,"
                + "\"total_tokens\":15}}";
    }

    @Test
    void aConversationCompletesOneTurnPerLineWithToolCalls(@TempDir Path data) {
        WireMockServer openAi = new WireMockServer(options().dynamicPort());
        openAi.start();
        try {
            openAi.stubFor(post(urlPathEqualTo("/v1/chat/completions")).inScenario("chat").whenScenarioStateIs(Scenario.STARTED)
                    .willSetStateTo("answered").willReturn(okJson(completion("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":"
                            + "\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_gpu_availability\",\"arguments\":\"{\\\"gpu_type\\\":"
                            + "\\\"H100\\\"}\"}}]}", "tool_calls"))));
            openAi.stubFor(post(urlPathEqualTo("/v1/chat/completions")).inScenario("chat").whenScenarioStateIs("answered")
                    .willSetStateTo("second").willReturn(okJson(completion("{\"role\":\"assistant\",\"content\":\"H100s are free on h100-a.\"}",
                            "stop"))));
            openAi.stubFor(post(urlPathEqualTo("/v1/chat/completions")).inScenario("chat").whenScenarioStateIs("second")
                    .willReturn(okJson(completion("{\"role\":\"assistant\",\"content\":\"You asked about H100s.\"}", "stop"))));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ChatCommand chat = new ChatCommand(new ByteArrayInputStream("Which H100s are free?\n\nWhat did I ask?\n".getBytes(StandardCharsets.UTF_8)),
                    new PrintStream(out, true, StandardCharsets.UTF_8), Map.of());
            int exit = new CommandLine(chat).execute("--base-url", openAi.baseUrl() + "/v1", "--api-key", "test-key", "--model", "gpt-test",
                    "--sandbox", "--config-dir", CONFIG, "--data-dir", data.toString());
            assertThat(exit).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("H100s are free on h100-a.").contains("You asked about H100s.");
            openAi.verify(3, postRequestedFor(urlPathEqualTo("/v1/chat/completions")));
            openAi.verify(postRequestedFor(urlPathEqualTo("/v1/chat/completions")).withHeader("Authorization", equalTo("Bearer test-key")));
            // the second turn carries the first one: memory across turns
            String last = openAi.findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))).get(2).getBodyAsString();
            assertThat(last).contains("Which H100s are free?").contains("H100s are free on h100-a.").contains("What did I ask?");
        } finally {
            openAi.stop();
        }
    }

    @Test
    void withoutAModelItSaysWhatToSetAndExitsNonZero(@TempDir Path data) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new ChatCommand(new ByteArrayInputStream(new byte[0]), System.out, Map.of()))
                    .execute("--sandbox", "--config-dir", CONFIG, "--data-dir", data.toString());
        } finally {
            System.setErr(saved);
        }
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("OPENAI_BASE_URL").contains("ANTHROPIC_API_KEY").contains("Ollama");
    }
}
