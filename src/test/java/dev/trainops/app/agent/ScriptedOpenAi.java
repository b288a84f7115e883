package dev.trainops.app.agent;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * WireMock as the OpenAI chat-completions API, answering a script in order: each step is either
 * tool calls or a final assistant message, in the API's real response shape. The requests it got
 * are kept by WireMock, so a test can read back what the agent sent (the tool results included).
 */
final class ScriptedOpenAi {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private final WireMockServer server;
    private int step;

    ScriptedOpenAi(WireMockServer server) {
        this.server = server;
    }

    String baseUrl() {
        return server.baseUrl() + "/v1";
    }

    /** The model answers with these tool calls (name, arguments as JSON). */
    ScriptedOpenAi toolCalls(Map<String, Object>... calls) {
        ObjectNode message = JSON.createObjectNode();
        message.put("role", "assistant");
        message.putNull("content");
        ArrayNode list = message.putArray("tool_calls");
        for (Map<String, Object> call : calls) {
            ObjectNode c = list.addObject();
            c.put("id", "call_" + step + "_" + list.size());
            c.put("type", "function");
            c.putObject("function").put("name", (String) call.get("name")).put("arguments", JSON.writeValueAsString(call.get("arguments")));
        }
        return respond(message, "tool_calls");
    }

    /** The model answers with text and no tool call. */
    ScriptedOpenAi says(String text) {
        ObjectNode message = JSON.createObjectNode();
        message.put("role", "assistant");
        message.put("content", text);
        return respond(message, "stop");
    }

    static Map<String, Object> call(String name, Map<String, Object> arguments) {
        return Map.of("name", name, "arguments", arguments);
    }

    private ScriptedOpenAi respond(ObjectNode message, String finish) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "chatcmpl-" + step).put("object", "chat.completion").put("created", 1_796_000_000L).put("model", "gpt-test");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("message", message);
        choice.put("finish_reason", finish);
        body.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 20).put("total_tokens", 120);
        String state = step == 0 ? Scenario.STARTED : "step-" + step;
        server.stubFor(post(urlPathEqualTo("/v1/chat/completions")).inScenario("chat").whenScenarioStateIs(state)
                .willSetStateTo("step-" + (step + 1)).willReturn(okJson(body.toString())));
        step++;
        return this;
    }

    /** The request bodies the agent sent, in order. */
    List<JsonNode> requests() {
        List<JsonNode> out = new ArrayList<>();
        server.findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))).forEach(r -> out.add(JSON.readTree(r.getBodyAsString())));
        return out;
    }

    /** The tool results (role "tool") in one request's messages. */
    static List<String> toolResults(JsonNode request) {
        return ofToolMessages(request, "content");
    }

    /** The ids of the calls the tool results (role "tool") in one request's messages answer, in order. */
    static List<String> toolCallIds(JsonNode request) {
        return ofToolMessages(request, "tool_call_id");
    }

    /** {@code field} of each tool result (role "tool") in one request's messages, in order. */
    private static List<String> ofToolMessages(JsonNode request, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : request.path("messages")) {
            if (m.path("role").asString().equals("tool")) {
                out.add(m.path(field).asString());
            }
        }
        return out;
    }
}
