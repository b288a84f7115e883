package dev.trainops.app;

import dev.trainops.app.agent.AgentFactory;
import dev.trainops.app.agent.TrainopsAgent;
import dev.trainops.access.Principal;
import dev.trainops.catalog.PromptLibrary;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code trainops chat}: the LangChain4j agent in the terminal, on the same tool catalog as the MCP
 * server, acting for one principal ({@code --token}, else the local user). One user turn per line; the conversation's memory lasts the session; job events and quota
 * and budget warnings print as they arrive ({@link ChatNotices}). Without a model it says what to
 * set and exits with 2.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, description = "Chat with the trainops agent (LangChain4j) in the terminal.")
public final class ChatCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ChatCommand.class);

    @Option(names = "--model", paramLabel = "NAME", description = "Model name (default gpt-4o-mini for OpenAI-compatible endpoints, claude-sonnet-4-5 for Anthropic).")
    String model;

    @Option(names = "--base-url", paramLabel = "URL", description = "OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 (default: OPENAI_BASE_URL).")
    String baseUrl;

    @Option(names = "--api-key", paramLabel = "KEY", description = "API key (default: OPENAI_API_KEY, or ANTHROPIC_API_KEY for Anthropic).")
    String apiKey;

    @Option(names = "--provider", paramLabel = "openai|anthropic", description = "Which API the endpoint speaks (default: from the environment).")
    String provider;

    @Option(names = "--max-tool-calls", paramLabel = "N", defaultValue = "12", description = "Tool round trips allowed per turn (default: ${DEFAULT-VALUE}).")
    int maxToolCalls;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Act as this token's principal (resolved through --auth-token-file or "
            + "--oidc-issuer; default: TRAINOPS_TOKEN, else the local user of TRAINOPS_TEAMS/TRAINOPS_ROLE).")
    String token;

    @Mixin
    AuthOptions auth;

    @Mixin
    BackendOptions backend;

    @Mixin
    ControllerOptions controllers;

    private final InputStream in;
    private final PrintStream out;
    private final Map<String, String> env;

    public ChatCommand() {
        this(System.in, System.out, System.getenv());
    }

    ChatCommand(InputStream in, PrintStream out, Map<String, String> env) {
        this.in = in;
        this.out = out;
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        Optional<AgentFactory.ModelConfig> config;
        Trainops.Settings settings;
        Principal principal;
        try {
            principal = auth.chatPrincipal(token, env, Clock.systemUTC());
            config = AgentFactory.ModelConfig.resolve(provider, baseUrl, apiKey, model, env);
            settings = controllers.apply(backend.settings(), false);
            if (maxToolCalls < 1 || maxToolCalls > 100) {
                throw new IllegalArgumentException("--max-tool-calls must be between 1 and 100, was " + maxToolCalls + ".");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("trainops: " + e.getMessage());
            return 2;
        }
        if (config.isEmpty()) {
            System.err.println(AgentFactory.SETUP);
            return 2;
        }
        PromptLibrary prompts = ServeCommand.prompts(settings.configDir());
        Optional<String> systemPrompt = prompts.system("agent-system");
        if (systemPrompt.isEmpty()) {
            System.err.println("trainops: the agent's system prompt (prompts/agent-system.md) is missing beside " + settings.configDir()
                    + " and in the jar; pass --config-dir pointing at trainops's config/ folder.");
            return 2;
        }
        String system = systemPrompt.get();
        boolean terminal = System.console() != null && in == System.in;
        try (Trainops trainops = Trainops.create(settings)) {
            // job events and quota/budget warnings show as they arrive, as an MCP client gets them
            ChatNotices notices = new ChatNotices(out);
            trainops.onJobEvent(notices::job);
            trainops.onTeamWarning(notices::team);
            trainops.connect();
            TrainopsAgent agent = AgentFactory.agent(AgentFactory.model(config.get()), trainops.catalog(), principal, system, maxToolCalls,
                    call -> log.info("tool {} {}", call.tool(), call.error() ? "failed: " + call.code() : "ok"));
            if (terminal) {
                out.println("trainops chat (" + config.get().provider() + ", " + config.get().model() + ", as " + principal.describe()
                        + "). One message per line; Ctrl-D ends.");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            while (true) {
                if (terminal) {
                    out.print("you> ");
                    out.flush();
                }
                String line = reader.readLine();
                if (line == null) {
                    break;
                }
                if (line.isBlank()) {
                    continue;
                }
                String answer;
                try {
                    answer = agent.chat(line.strip());
                } catch (RuntimeException e) {
                    log.warn("the model call failed: {}", e.getMessage());
                    out.println("trainops: the model did not answer (" + e.getMessage() + "). Check the endpoint and try again.");
                    continue;
                }
                synchronized (out) {
                    out.println(terminal ? "trainops> " + answer : answer);
                    out.flush();
                }
            }
        }
        return 0;
    }
}
