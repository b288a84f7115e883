package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The packaged server over stdio answers {@code initialize} before picocli and the SDK load
 * (docs/architecture.md, "Start-up"): the client gets exactly one answer to it, on raw pipes, and
 * the server then works as usual (tools/list, a tool call, a quiet stop).
 */
class EarlyInitializeIT {
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dataDir;

    @Test
    void overStdioTheClientGetsOneInitializeAnswerAndTheServerWorksAfter() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(SandboxServers.java(), "-jar", System.getProperty("trainops.jar"), "serve", "--sandbox",
                "--config-dir", System.getProperty("trainops.configDir"), "--data-dir", dataDir.resolve("data").toString());
        Path stderr = dataDir.resolve("stderr.log");
        pb.redirectError(stderr.toFile());
        CleanStopIT.Session s = new CleanStopIT.Session(pb.start(), stderr);
        String initId = "\"init \\\"1\\\" \\u00e9\"";

        s.send("{\"jsonrpc\":\"2.0\",\"id\":" + initId + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"early\",\"version\":\"1\"}}}");
        JsonNode init = JSON.readTree(s.out.readLine());
        s.send(CleanStopIT.INITIALIZED);
        s.send("{\"jsonrpc\":\"2.0\",\"id\":50,\"method\":\"tools/list\"}");
        List<JsonNode> after = new ArrayList<>();
        JsonNode tools;
        do {
            tools = JSON.readTree(s.out.readLine());
            after.add(tools);
        } while (!tools.path("id").isNumber() || tools.get("id").asInt() != 50);

        assertThat(init.get("id").asString()).isEqualTo("init \"1\" é");
        assertThat(init.at("/result/protocolVersion").asString()).isEqualTo("2025-06-18");
        assertThat(init.at("/result/serverInfo/name").asString()).isEqualTo("trainops");
        assertThat(after).as("no second answer to initialize").noneMatch(m -> m.path("id").isString());
        assertThat(tools.at("/result/tools").size()).isGreaterThan(5);
        assertThat(s.callUntilTheSandboxAnswers()).contains("\"result\"").doesNotContain("\"isError\":true");

        s.process.getOutputStream().close();

        s.assertQuietExit();
    }
}
