package dev.trainops.server;

import dev.trainops.catalog.Completions;
import dev.trainops.catalog.PromptLibrary;
import dev.trainops.catalog.ToolCatalog;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/** Builds the MCP server over a transport; the same tools on every transport. */
public final class TrainopsMcpServer {
    public static final String NAME = "trainops";
    static final String INSTRUCTIONS = "trainops answers questions about GPUs, cost, quotas and the training queue of a "
            + "Kubernetes ML platform. Check get_gpu_availability before proposing where a job can run. Errors carry a "
            + "code, a message and a hint saying what to do next.";

    private final ToolCatalog catalog;
    private final String version;
    private final PromptLibrary prompts;
    private final JobEventNotifier jobEvents;
    private final dev.trainops.access.Principal local;

    public TrainopsMcpServer(ToolCatalog catalog, String version) {
        this(catalog, version, PromptLibrary.empty());
    }

    public TrainopsMcpServer(ToolCatalog catalog, String version, PromptLibrary prompts) {
        this(catalog, version, prompts, new JobEventNotifier());
    }

    /**
     * @param jobEvents where the queue's job events go to become log notifications to this server's
     *                  sessions; the composition root hands the same notifier to the queue
     */
    public TrainopsMcpServer(ToolCatalog catalog, String version, PromptLibrary prompts, JobEventNotifier jobEvents) {
        this(catalog, version, prompts, jobEvents, dev.trainops.access.Principal.LOCAL);
    }

    /**
     * @param local the caller when the transport names none: the stdio user ({@code TRAINOPS_TEAMS},
     *              {@code TRAINOPS_ROLE}), or anyone on a loopback HTTP server without authentication
     */
    public TrainopsMcpServer(ToolCatalog catalog, String version, PromptLibrary prompts, JobEventNotifier jobEvents,
                             dev.trainops.access.Principal local) {
        this.local = java.util.Objects.requireNonNull(local, "local must not be null");
        this.catalog = catalog;
        this.version = version;
        this.prompts = prompts;
        this.jobEvents = jobEvents;
    }

    /** The sink for the queue's job events: each is sent to every connected session as a log notification. */
    public JobEventNotifier jobEvents() {
        return jobEvents;
    }

    /** The Streamable HTTP provider as the MCP server must see it: its sessions noted for job events. */
    McpStreamableServerTransportProvider track(McpStreamableServerTransportProvider provider) {
        return jobEvents.track(provider);
    }

    /**
     * The SDK's default mapper (Jackson 3 defaults), with one mix-in: the SDK's ElicitFormRequest
     * has a {@code mode} component that is also its type id, which Jackson 3 refuses to write
     * ("Conflict between type id property 'mode' and bean property"); the type id alone carries it.
     */
    static McpJsonMapper jsonMapper() {
        return MAPPER;
    }

    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(value = "mode", allowSetters = true)
    private abstract static class ElicitFormRequestMixIn {
    }

    private static final McpJsonMapper MAPPER = new io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper(
            tools.jackson.databind.json.JsonMapper.builder().addMixIn(McpSchema.ElicitFormRequest.class, ElicitFormRequestMixIn.class).build());

    /** MCP over standard input and output; the caller must keep everything else off stdout. */
    public McpSyncServer stdio(InputStream in, OutputStream out) {
        return configure(McpServer.sync(jobEvents.track(new StdioServerTransportProvider(jsonMapper(), unknownPrompts(prompts).lines(in), out))));
    }

    /**
     * MCP over stdio that answers {@code initialize} before the catalog exists: the server starts
     * with its capabilities declared (prompts included) and nothing registered, and every request
     * after the first line is held until {@link Deferred#register} has added the catalog's tools,
     * resources and prompts. So start-up work (the configuration, the modules, the metrics, the
     * tool schemas) never delays the handshake, and {@code tools/list} waits only for what it lists
     * (docs/architecture.md, "Life of a tool call"). {@code prompts} are needed here because the SDK
     * takes the prompts' completion handlers only when the server is built; {@code serve} reads them
     * after {@link EarlyInitialize} has answered.
     */
    public static Deferred stdioDeferred(String version, PromptLibrary prompts, JobEventNotifier jobEvents, InputStream in,
                                         OutputStream out) {
        HeldInput held = new HeldInput(unknownPrompts(prompts).lines(in));
        FirstAnswer answered = new FirstAnswer(out);
        // the SDK takes completion handlers only when the server is built: the prompts' handlers read the catalog's completions once it is there
        java.util.concurrent.atomic.AtomicReference<Completions> completions = new java.util.concurrent.atomic.AtomicReference<>(Completions.none());
        java.util.concurrent.atomic.AtomicReference<dev.trainops.access.Principal> local =
                new java.util.concurrent.atomic.AtomicReference<>(dev.trainops.access.Principal.LOCAL);
        McpSyncServer mcp = common(McpServer.sync(jobEvents.track(new StdioServerTransportProvider(jsonMapper(), held, answered))),
                version, true).completions(McpCompletions.forPrompts(prompts, completions::get, local::get)).build();
        jobEvents.attach(mcp);
        return new Deferred(mcp, held, answered, prompts, completions, local);
    }

    /**
     * Builds, once and off the caller's thread, what the {@code initialize} answer needs (the JSON
     * mapper and its serializers for the handshake, the SDK's message types, the logger): started
     * first thing by {@code serve}, it runs on the second core while the command line is parsed.
     */
    public static void prepare() {
        try {
            McpJsonMapper mapper = jsonMapper();
            McpSchema.JSONRPCMessage request = McpSchema.deserializeJsonRpcMessage(mapper, "{\"jsonrpc\":\"2.0\",\"id\":0,"
                    + "\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" + io.modelcontextprotocol.spec.ProtocolVersions.MCP_2025_11_25
                    + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"prepare\",\"version\":\"0\"}}}");
            McpSchema.InitializeRequest init = mapper.convertValue(((McpSchema.JSONRPCRequest) request).params(),
                    McpSchema.InitializeRequest.class);
            McpSchema.InitializeResult result = new McpSchema.InitializeResult(init.protocolVersion(),
                    McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).prompts(false).logging().build(),
                    new McpSchema.Implementation(NAME, "0"), INSTRUCTIONS);
            mapper.writeValueAsString(new McpSchema.JSONRPCResponse(McpSchema.JSONRPC_VERSION, 0, result, null));
            org.slf4j.LoggerFactory.getLogger(TrainopsMcpServer.class);
        } catch (Exception | LinkageError e) {
            // only a head start: the real answer builds whatever this did not
        }
    }

    /** What answers completions for a prompt this server does not have ({@link UnknownPromptCompletions}). */
    static UnknownPromptCompletions unknownPrompts(PromptLibrary prompts) {
        java.util.Set<String> names = prompts.prompts().stream().map(PromptLibrary.Prompt::name).collect(java.util.stream.Collectors.toUnmodifiableSet());
        return new UnknownPromptCompletions(() -> names);
    }

    UnknownPromptCompletions unknownPrompts() {
        return unknownPrompts(prompts);
    }

    /** A stdio server whose catalog comes later. */
    public static final class Deferred {
        private final McpSyncServer mcp;
        private final HeldInput held;
        private final FirstAnswer answered;
        private final PromptLibrary prompts;
        private final java.util.concurrent.atomic.AtomicReference<Completions> completions;
        private final java.util.concurrent.atomic.AtomicReference<dev.trainops.access.Principal> local;

        private Deferred(McpSyncServer mcp, HeldInput held, FirstAnswer answered, PromptLibrary prompts,
                         java.util.concurrent.atomic.AtomicReference<Completions> completions,
                         java.util.concurrent.atomic.AtomicReference<dev.trainops.access.Principal> local) {
            this.local = local;
            this.mcp = mcp;
            this.held = held;
            this.answered = answered;
            this.prompts = prompts;
            this.completions = completions;
        }

        public McpSyncServer server() {
            return mcp;
        }

        /** Waits, at most {@code max}, until the first answer (initialize's) is written: start-up work then stops competing with it. */
        public void awaitFirstAnswer(Duration max) throws InterruptedException {
            answered.written.await(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        /**
         * Adds the catalog's tools, resources and prompts and its completions for the prompts'
         * arguments, then lets the held requests through. The resource templates' variables get no
         * completions over this server: the SDK (2.1) cannot add a completion handler after build.
         */
        public void register(ToolCatalog catalog) {
            register(catalog, dev.trainops.access.Principal.LOCAL);
        }

        /** As {@link #register(ToolCatalog)}, every call made by {@code local} (the stdio user). */
        public void register(ToolCatalog catalog, dev.trainops.access.Principal local) {
            this.local.set(local);
            completions.set(catalog.completions());
            McpToolAdapter adapter = new McpToolAdapter(catalog, local);
            adapter.specifications().forEach(mcp::addTool);
            adapter.resources().forEach(mcp::addResource);
            adapter.resourceTemplates().forEach(mcp::addResourceTemplate);
            adapter.prompts(prompts).forEach(mcp::addPrompt);
            held.open();
        }

        /** Lets held requests through without a catalog (start-up failed): the server is closing anyway. */
        public void release() {
            held.open();
        }
    }

    /** Passes the first line (initialize) through at once and holds the rest until {@link #open()}. */
    static final class HeldInput extends java.io.FilterInputStream {
        private final java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);
        private boolean firstLineDone;

        HeldInput(InputStream in) {
            super(in);
        }

        void open() {
            opened.countDown();
        }

        @Override
        public int read() throws java.io.IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws java.io.IOException {
            if (firstLineDone) {
                awaitOpen();
                return super.read(buf, off, len);
            }
            // until the first newline: one byte at a time, so nothing after it is read early
            int n = super.read(buf, off, 1);
            if (n > 0 && buf[off] == '\n') {
                firstLineDone = true;
            }
            return n;
        }

        private void awaitOpen() throws java.io.IOException {
            try {
                opened.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while starting");
            }
        }

        @Override
        public int available() throws java.io.IOException {
            return firstLineDone && opened.getCount() > 0 ? 0 : super.available();
        }
    }

    /** Counts down once the first complete line (the initialize answer) has been written. */
    static final class FirstAnswer extends java.io.FilterOutputStream {
        final java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);

        FirstAnswer(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws java.io.IOException {
            out.write(b);
            if (b == '\n') {
                written.countDown();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            out.write(b, off, len);
            if (written.getCount() > 0) {
                for (int i = off; i < off + len; i++) {
                    if (b[i] == '\n') {
                        written.countDown();
                        break;
                    }
                }
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            out.flush();
        }
    }

    /**
     * What every trainops server declares and how it handles calls, on any transport, with the
     * catalog now or later: tools, resources (subscribable: trainops://jobs/{job_id} changes on every
     * job event, the SDK handles resources/subscribe), prompts (when there are any, or will be),
     * {@code logging}, because the server sends log notifications (the queue's job events,
     * {@link JobEventNotifier}), and {@code completions} for prompt arguments and resource-template
     * variables ({@link McpCompletions}). {@link EarlyInitialize} writes the same capabilities.
     */
    private static McpServer.SyncSpecification<?> common(McpServer.SyncSpecification<?> spec, String version, boolean prompts) {
        McpSchema.ServerCapabilities.Builder caps = McpSchema.ServerCapabilities.builder().tools(false).resources(true, false).logging()
                .completions();
        if (prompts) {
            caps.prompts(false);
        }
        return spec.serverInfo(NAME, version)
                .instructions(INSTRUCTIONS)
                .capabilities(caps.build())
                // The catalog's binder checks arguments and names the argument in its message.
                .validateToolInputs(false)
                .requestTimeout(Duration.ofSeconds(30));
    }

    McpSyncServer configure(McpServer.SyncSpecification<?> spec) {
        McpToolAdapter adapter = new McpToolAdapter(catalog, local);
        McpSyncServer mcp = common(spec, version, !prompts.prompts().isEmpty())
                .tools(adapter.specifications())
                .resources(adapter.resources())
                .resourceTemplates(adapter.resourceTemplates())
                .prompts(adapter.prompts(prompts))
                .completions(completions())
                .build();
        jobEvents.attach(mcp);
        return mcp;
    }

    private java.util.List<io.modelcontextprotocol.server.McpServerFeatures.SyncCompletionSpecification> completions() {
        java.util.List<io.modelcontextprotocol.server.McpServerFeatures.SyncCompletionSpecification> all =
                new java.util.ArrayList<>(McpCompletions.forPrompts(prompts, catalog::completions, () -> local));
        all.addAll(McpCompletions.forTemplates(catalog.resources(), catalog::completions, () -> local));
        return all;
    }
}
