package dev.trainops.server;

import dev.trainops.access.Principal;
import dev.trainops.catalog.CatalogResource;
import dev.trainops.catalog.Completions;
import dev.trainops.catalog.PromptLibrary;
import io.modelcontextprotocol.server.McpServerFeatures.SyncCompletionSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The catalog's {@link Completions} as MCP {@code completion/complete} handlers: one for each
 * prompt and one for each resource template, all answering from the argument's name. It only
 * adapts: which values, in which order, how many, the catalog decides. The SDK itself answers an
 * unknown template (invalid params) and an argument the prompt does not have (no values); an
 * unknown prompt gets no values ({@link UnknownPromptCompletions}).
 * Each answer is for the caller the exchange carries (rule 5), read as {@link McpToolAdapter} reads it.
 */
final class McpCompletions {
    private McpCompletions() {
    }

    /**
     * Handlers for every prompt of {@code prompts}, reading the completions when asked (they may
     * come later); {@code local} is the caller when the transport names none.
     */
    static List<SyncCompletionSpecification> forPrompts(PromptLibrary prompts, Supplier<Completions> completions, Supplier<Principal> local) {
        List<SyncCompletionSpecification> out = new ArrayList<>();
        for (PromptLibrary.Prompt p : prompts.prompts()) {
            out.add(new SyncCompletionSpecification(new McpSchema.PromptReference(p.name()),
                    (exchange, request) -> answer(completions.get(), request, caller(exchange, local), p)));
        }
        return out;
    }

    /** Handlers for every resource template of {@code resources}. */
    static List<SyncCompletionSpecification> forTemplates(List<CatalogResource> resources, Supplier<Completions> completions,
                                                          Supplier<Principal> local) {
        return resources.stream().filter(CatalogResource::template)
                .map(r -> new SyncCompletionSpecification(new McpSchema.ResourceReference(r.uri()),
                        (exchange, request) -> answer(completions.get(), request, caller(exchange, local))))
                .toList();
    }

    /** Who is asking: what the transport put in the exchange's context, else the local principal. */
    static Principal caller(McpSyncServerExchange exchange, Supplier<Principal> local) {
        Object p = exchange == null || exchange.transportContext() == null ? null : exchange.transportContext().get(McpToolAdapter.PRINCIPAL);
        return p instanceof Principal principal ? principal : local.get();
    }

    static McpSchema.CompleteResult answer(Completions completions, McpSchema.CompleteRequest request, Principal principal) {
        return answer(completions, request, principal, null);
    }

    /** {@code prompt} null: a resource template's variable, completed by its name; else what the prompt's argument names. */
    static McpSchema.CompleteResult answer(Completions completions, McpSchema.CompleteRequest request, Principal principal, PromptLibrary.Prompt prompt) {
        McpSchema.CompleteRequest.CompleteArgument argument = request.argument();
        Completions.Answer answer = argument == null ? Completions.Answer.NONE
                : completions.complete(prompt == null ? argument.name() : PromptLibrary.kindOf(prompt, argument.name()), argument.value(), principal);
        return new McpSchema.CompleteResult(new McpSchema.CompleteResult.CompleteCompletion(answer.values(), answer.total(), answer.hasMore()));
    }
}
