package dev.trainops.app.agent;

import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import dev.trainops.catalog.ToolCatalog;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the agent: a LangChain4j AI service over an OpenAI-compatible endpoint (OpenAI, vLLM, LM
 * Studio, llama.cpp, Ollama's /v1) or Anthropic, with the catalog's tools, a chat memory, a bound
 * on tool round trips per turn, and the system prompt from prompts/agent-system.md.
 */
public final class AgentFactory {
    static final int MEMORY_MESSAGES = 60;
    static final int DEFAULT_MAX_TOOL_CALLS = 12;
    static final String DEFAULT_OPENAI_MODEL = "gpt-4o-mini";
    static final String DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-4-5";

    /** Which endpoint and model; from flags first, then OPENAI_BASE_URL / OPENAI_API_KEY / ANTHROPIC_API_KEY. */
    public record ModelConfig(String provider, String baseUrl, String apiKey, String model) {

        /** The configuration flags and environment give, or empty when neither names an endpoint. */
        public static Optional<ModelConfig> resolve(String provider, String baseUrl, String apiKey, String model, Map<String, String> env) {
            String p = provider == null ? null : provider.trim().toLowerCase(java.util.Locale.ROOT);
            if (p != null && !p.equals("openai") && !p.equals("anthropic")) {
                throw new IllegalArgumentException("--provider must be openai or anthropic, was " + provider + ".");
            }
            String openAiUrl = baseUrl != null ? baseUrl : env.get("OPENAI_BASE_URL");
            String openAiKey = apiKey != null ? apiKey : env.get("OPENAI_API_KEY");
            String anthropicKey = apiKey != null ? apiKey : env.get("ANTHROPIC_API_KEY");
            if ("anthropic".equals(p) || (p == null && isBlank(openAiUrl) && isBlank(openAiKey) && !isBlank(anthropicKey))) {
                if (isBlank(anthropicKey)) {
                    return Optional.empty();
                }
                return Optional.of(new ModelConfig("anthropic", baseUrl, anthropicKey, model == null ? DEFAULT_ANTHROPIC_MODEL : model));
            }
            if (isBlank(openAiUrl) && isBlank(openAiKey)) {
                return Optional.empty();
            }
            return Optional.of(new ModelConfig("openai", isBlank(openAiUrl) ? "https://api.openai.com/v1" : openAiUrl,
                    isBlank(openAiKey) ? "none" : openAiKey, model == null ? DEFAULT_OPENAI_MODEL : model));
        }

        private static boolean isBlank(String s) {
            return s == null || s.isBlank();
        }
    }

    /** What to tell a user who configured no model. */
    public static final String SETUP = """
            trainops chat needs a model. Set one of:
              OPENAI_BASE_URL (and OPENAI_API_KEY, --model NAME): any OpenAI-compatible endpoint, e.g.
                https://api.openai.com/v1, vLLM or LM Studio at http://localhost:8000/v1, llama.cpp's server,
                Ollama at http://localhost:11434/v1 (--model llama3.1)
              ANTHROPIC_API_KEY (and --model NAME) for Anthropic
            or pass --base-url, --api-key, --model and --provider openai|anthropic.""";

    private AgentFactory() {
    }

    public static ChatModel model(ModelConfig config) {
        if (config.provider().equals("anthropic")) {
            AnthropicChatModel.AnthropicChatModelBuilder b = AnthropicChatModel.builder().apiKey(config.apiKey()).modelName(config.model())
                    .timeout(Duration.ofSeconds(120)).maxRetries(2);
            if (config.baseUrl() != null) {
                b.baseUrl(config.baseUrl());
            }
            return b.build();
        }
        return OpenAiChatModel.builder().baseUrl(config.baseUrl()).apiKey(config.apiKey()).modelName(config.model())
                .timeout(Duration.ofSeconds(120)).maxRetries(2).build();
    }

    /** An agent for the local admin ({@link dev.trainops.access.Principal#LOCAL}). */
    public static TrainopsAgent agent(ChatModel model, ToolCatalog catalog, String systemPrompt, int maxToolCalls,
                                      CatalogTools.Listener listener) {
        return agent(model, catalog, dev.trainops.access.Principal.LOCAL, systemPrompt, maxToolCalls, listener);
    }

    /**
     * An agent that acts for {@code principal}: every tool call it makes is that principal's
     * (docs/architecture.md, "Who is calling"); nothing the model writes can change who it is.
     */
    public static TrainopsAgent agent(ChatModel model, ToolCatalog catalog, dev.trainops.access.Principal principal, String systemPrompt,
                                      int maxToolCalls, CatalogTools.Listener listener) {
        return AiServices.builder(TrainopsAgent.class)
                .chatModel(model)
                .chatMemory(MessageWindowChatMemory.withMaxMessages(MEMORY_MESSAGES))
                .systemMessageProvider(memoryId -> systemPrompt)
                .tools(CatalogTools.of(catalog, principal, listener))
                .maxSequentialToolsInvocations(maxToolCalls)
                .hallucinatedToolNameStrategy(request -> ToolExecutionResultMessage.from(request,
                        "{\"is_error\":true,\"code\":\"NOT_FOUND\",\"message\":\"There is no tool '" + request.name()
                                + "'.\",\"hint\":\"Use one of the tools you were given.\"}"))
                .build();
    }
}
