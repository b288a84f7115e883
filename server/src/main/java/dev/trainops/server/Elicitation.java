package dev.trainops.server;

import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolOutcome;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job over its max_cost or the budget left (docs/architecture.md, "Money model"), submitted to a
 * tool that declares {@code Tool.Feature.ELICITS_CHEAPER_OPTION} by a client that supports
 * elicitation, makes the server ask the user (form mode, an enum of the cheaper options with their
 * costs) and submit the chosen one. The chosen option goes through the same tool again, with every
 * check and cap: nobody talks their way past the budget.
 * Declined, cancelled or unanswered: the original BUDGET_EXCEEDED error, nothing queued.
 */
final class Elicitation {
    private static final Logger log = LoggerFactory.getLogger(Elicitation.class);

    private Elicitation() {
    }

    @SuppressWarnings("unchecked")
    static Optional<ToolOutcome> chooseCheaper(ToolCatalog catalog, String tool, McpSyncServerExchange exchange, ToolOutcome.Failure failure,
                                                     dev.trainops.catalog.CallContext context) {
        Object raw = failure.error().details().get("options");
        if (!(raw instanceof List<?> list) || list.isEmpty()) {
            return Optional.empty();
        }
        List<Map<String, Object>> options = (List<Map<String, Object>>) list;
        List<String> labels = new ArrayList<>();
        for (Map<String, Object> o : options) {
            labels.add(o.get("description") + " Estimated " + o.get("estimated_cost") + ".");
        }
        Map<String, Object> option = new LinkedHashMap<>();
        option.put("type", "string");
        option.put("title", "Cheaper option");
        option.put("description", "Each is a set of queue_training_job arguments within the cap.");
        option.put("enum", labels);
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", Map.of("option", option));
        schema.put("required", List.of("option"));
        McpSchema.ElicitResult answer;
        try {
            answer = exchange.createElicitation(McpSchema.ElicitRequest.builder()
                    .message(failure.error().message() + " Nothing is queued yet. Pick a cheaper option to queue it, or decline.")
                    .requestedSchema(schema).build());
        } catch (RuntimeException e) {
            log.info("elicitation failed, answering with the options instead: {}", e.getMessage());
            return Optional.empty();
        }
        if (answer == null || answer.action() != McpSchema.ElicitResult.Action.ACCEPT || answer.content() == null) {
            return Optional.empty();
        }
        int chosen = labels.indexOf(String.valueOf(answer.content().get("option")));
        if (chosen < 0) {
            return Optional.empty();
        }
        Map<String, Object> args = (Map<String, Object>) options.get(chosen).get("arguments");
        return Optional.of(catalog.invoke(tool, args, context));
    }
}
