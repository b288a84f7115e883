package dev.trainops.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tools trainops offers, in one place. {@link #invoke} is the single path a call takes, from
 * raw JSON arguments to a {@link ToolOutcome}: binding and validation, the domain function, the
 * mapping of errors. The MCP server and the agent call nothing else.
 */
public final class ToolCatalog {
    private static final Logger log = LoggerFactory.getLogger(ToolCatalog.class);

    /** Told of every call: the tool, "ok" or the error code, and how long it took. */
    @FunctionalInterface
    public interface CallObserver {
        void called(String tool, String outcome, long nanos);

        CallObserver NONE = (tool, outcome, nanos) -> {
        };
    }

    /**
     * What every call passes before its tool runs, and what records it (DESIGN.md, "Identity and
     * tenancy"): the role gate (a viewer's write call is FORBIDDEN, rule 3), each principal's
     * call budget (rule 8), and the audit log of every call to a tool that changes something (rule 7).
     */
    public record Guards(dev.trainops.access.RateLimiter limiter, dev.trainops.audit.AuditTrail audit, java.time.Clock clock) {
        public static final Guards NONE = new Guards(dev.trainops.access.RateLimiter.NONE, dev.trainops.audit.AuditTrail.NONE,
                java.time.Clock.systemUTC());

        public Guards {
            java.util.Objects.requireNonNull(limiter, "limiter must not be null");
            java.util.Objects.requireNonNull(audit, "audit must not be null");
            java.util.Objects.requireNonNull(clock, "clock must not be null");
        }
    }

    /** The outcomes of a read-only tool that are audited: refusals, which may be attempts on another team's items (rule 7). */
    private static final java.util.Set<ErrorCode> REFUSED_READS = java.util.EnumSet.of(ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN);

    private final Map<String, Tool<?, ?>> tools;
    private final ArgumentBinder binder;
    private final CallObserver observer;
    private final Guards guards;

    public ToolCatalog(List<Tool<?, ?>> tools) {
        this(tools, List.of());
    }

    public ToolCatalog(List<Tool<?, ?>> tools, List<CatalogResource> resources) {
        this(tools, resources, CallObserver.NONE);
    }

    public ToolCatalog(List<Tool<?, ?>> tools, List<CatalogResource> resources, CallObserver observer) {
        this(tools, resources, observer, Completions.none());
    }

    /** @param completions the values offered for prompt arguments and resource-template variables */
    public ToolCatalog(List<Tool<?, ?>> tools, List<CatalogResource> resources, CallObserver observer, Completions completions) {
        this(tools, resources, observer, completions, Guards.NONE);
    }

    /** @param guards the role gate's, rate limit's and audit log's parts */
    public ToolCatalog(List<Tool<?, ?>> tools, List<CatalogResource> resources, CallObserver observer, Completions completions,
                       Guards guards) {
        this.observer = observer;
        this.guards = java.util.Objects.requireNonNull(guards, "guards must not be null");
        this.completions = completions;
        Map<String, Tool<?, ?>> byName = new LinkedHashMap<>();
        for (Tool<?, ?> tool : tools) {
            if (byName.putIfAbsent(tool.name(), tool) != null) {
                throw new IllegalArgumentException("tool names must be unique: " + tool.name());
            }
        }
        this.tools = Map.copyOf(byName);
        this.names = List.copyOf(byName.keySet());
        this.binder = new ArgumentBinder();
        for (CatalogResource r : resources) {
            if (r.tool() != null && !this.tools.containsKey(r.tool())) {
                throw new IllegalArgumentException("resource " + r.uri() + " reads unknown tool " + r.tool());
            }
        }
        this.resources = List.copyOf(resources);
    }

    /**
     * Binds {@code arguments} (wire names, as a tool call's) to {@code type} with the very checks a tool call's get
     * (required, bounds, string limits): how a TrainingJob's spec becomes a queue_training_job request.
     *
     * @throws ToolException INVALID_ARGUMENT naming the argument and the fix
     */
    public static <Q extends Record> Q bind(Map<String, Object> arguments, Class<Q> type) {
        return new ArgumentBinder().bind(arguments, type);
    }

    private final List<String> names;
    private final List<CatalogResource> resources;
    private final Completions completions;

    /** What a client may offer while the user types a prompt argument or a resource-template variable. */
    public Completions completions() {
        return completions;
    }

    /** Read-only views published as MCP resources. */
    public List<CatalogResource> resources() {
        return resources;
    }

    /** The tools in registration order. */
    public List<Tool<?, ?>> tools() {
        return names.stream().<Tool<?, ?>>map(tools::get).toList();
    }

    public Optional<Tool<?, ?>> find(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    public Map<String, Object> inputSchema(Tool<?, ?> tool) {
        return Schemas.input(tool.requestType());
    }

    public Map<String, Object> outputSchema(Tool<?, ?> tool) {
        return Schemas.output(tool.responseType());
    }

    /**
     * Reads a resource by its URI (a template's variables filled in): the tool's answer, or the
     * resource's content. Never throws: an unknown URI or a failed read is a failure outcome.
     */
    public ToolOutcome readResource(String uri) {
        return readResource(uri, CallContext.NONE);
    }

    /** Reads a resource for the caller in {@code context}: a resource that reads a tool reads it as that caller (rule 5). */
    public ToolOutcome readResource(String uri, CallContext context) {
        for (CatalogResource r : resources) {
            Optional<Map<String, String>> vars = r.match(uri);
            if (vars.isEmpty()) {
                continue;
            }
            if (r.tool() != null) {
                Map<String, Object> args;
                try {
                    args = r.arguments().apply(vars.get());
                } catch (ToolException e) {
                    return failure(e);
                }
                return invoke(r.tool(), args, context);
            }
            try {
                return new ToolOutcome.Success(Json.toMap(r.content().get()), r.name());
            } catch (ToolException e) {
                return failure(e);
            } catch (RuntimeException e) {
                Optional<dev.trainops.store.StoreUnavailableException.Unanswered> store = dev.trainops.store.StoreUnavailableException.in(e);
                if (store.isPresent()) {
                    return failure(storeUnavailable(store.get()));
                }
                log.error("resource {} failed", uri, e);
                return failure(new ToolException(ErrorCode.INTERNAL, "trainops could not read " + Json.shorten(uri) + ".", "Retry once."));
            }
        }
        return failure(new ToolException(ErrorCode.NOT_FOUND, "No resource " + Json.shorten(uri) + ".",
                "Read one of: " + String.join(", ", resources.stream().map(CatalogResource::uri).toList()) + "."));
    }

    /** Calls a tool by name with raw JSON arguments, nobody watching its progress. Never throws: every failure is an outcome. */
    public ToolOutcome invoke(String name, Map<String, Object> arguments) {
        return invoke(name, arguments, CallContext.NONE);
    }

    /** Calls a tool by name with raw JSON arguments and the caller's context. Never throws: every failure is an outcome. */
    public ToolOutcome invoke(String name, Map<String, Object> arguments, CallContext context) {
        Tool<?, ?> tool = tools.get(name);
        if (tool == null) {
            return failure(new ToolException(ErrorCode.NOT_FOUND,
                    "Unknown tool '" + Json.shorten(name) + "'.",
                    "Call one of: " + String.join(", ", names) + "."));
        }
        CallContext call = context == null ? CallContext.NONE : context;
        Map<String, Object> args = arguments == null ? Map.of() : arguments;
        long started = System.nanoTime();
        ToolOutcome outcome = guarded(tool, args, call);
        try {
            observer.called(name, outcome instanceof ToolOutcome.Failure f ? f.error().code().name() : "ok", System.nanoTime() - started);
        } catch (RuntimeException e) {
            log.warn("call observer failed: {}", e.getMessage());
        }
        return outcome;
    }

    /**
     * The rate limit, then the role gate, then the call; a call to a tool that changes something
     * is audited whatever its outcome (the domain writes a success in its own transaction).
     */
    private ToolOutcome guarded(Tool<?, ?> tool, Map<String, Object> arguments, CallContext call) {
        boolean writes = !tool.hints().readOnly();
        dev.trainops.audit.Audit audit = writes ? new dev.trainops.audit.Audit(guards.audit(), guards.clock(), call.principal(), tool.name(),
                arguments.get("team") instanceof String t ? Json.shorten(t) : null, auditable(arguments))
                : dev.trainops.audit.Audit.NONE;
        ToolOutcome outcome;
        long wait = guards.limiter().admit(call.principal());
        if (wait > 0) {
            outcome = failure(new ToolException(ErrorCode.RATE_LIMITED, call.principal().subject() + " has made more tool calls this "
                    + "minute than its limit allows.", "Retry after " + wait + " s.", true, Map.of("retry_after_seconds", wait)));
        } else if (writes && !call.principal().canWrite()) {
            outcome = failure(dev.trainops.access.Access.forbiddenWrite(call.principal(), tool.name()));
        } else {
            outcome = invokeTyped(tool, arguments, call.withAudit(audit));
        }
        try {
            if (writes) {
                audit.afterCall(outcome instanceof ToolOutcome.Failure f ? f.error().code().name() : dev.trainops.audit.AuditEntry.OK,
                        outcome instanceof ToolOutcome.Failure f ? f.error().message() : "");
            } else if (outcome instanceof ToolOutcome.Failure f && REFUSED_READS.contains(f.error().code())) {
                // a read refused (another team's item, an admin-only tool) is an attempt the audit log keeps too;
                // a rate-limited read is not, so a flood of them cannot turn into a flood of writes
                new dev.trainops.audit.Audit(guards.audit(), guards.clock(), call.principal(), tool.name(),
                        arguments.get("team") instanceof String t ? Json.shorten(t) : null, auditable(arguments))
                        .afterCall(f.error().code().name(), f.error().message());
            }
        } catch (RuntimeException e) {
            log.error("cannot write the audit log for {}: {}", tool.name(), e.getMessage());
        }
        return outcome;
    }

    /**
     * The arguments as the audit log keeps them. Written before they are checked, so they may be
     * anything a client sent: nested deeper than JSON writing allows, a megabyte long. What cannot
     * be written is recorded as such rather than failing the call (issue 14, "Bad input at scale").
     */
    private static String auditable(Map<String, Object> arguments) {
        if (ArgumentBinder.depth(arguments, 0) > ArgumentBinder.MAX_DEPTH) {
            return "{\"unrecorded\":\"nested deeper than " + ArgumentBinder.MAX_DEPTH + " levels\"}";
        }
        try {
            return Json.write(arguments);
        } catch (RuntimeException e) {
            return "{\"unrecorded\":\"not writable as JSON\"}";
        }
    }

    private <Q extends Record, R extends Record> ToolOutcome invokeTyped(Tool<Q, R> tool, Map<String, Object> arguments, CallContext context) {
        try {
            Q request = binder.bind(arguments, tool.requestType());
            R response = tool.call(request, context);
            if (response == null) {
                throw new IllegalStateException("tool " + tool.name() + " returned null");
            }
            return new ToolOutcome.Success(Json.toMap(response), tool.summarize(response));
        } catch (ToolException e) {
            return failure(e);
        } catch (RuntimeException e) {
            Optional<dev.trainops.store.StoreUnavailableException.Unanswered> store = dev.trainops.store.StoreUnavailableException.in(e);
            if (store.isPresent()) {
                log.warn("tool {}: {}", tool.name(), e.getMessage());
                return failure(storeUnavailable(store.get()));
            }
            String reference = UUID.randomUUID().toString().substring(0, 8);
            log.error("tool {} failed [ref {}]", tool.name(), reference, e);
            return failure(new ToolException(ErrorCode.INTERNAL,
                    "trainops hit an internal error while running " + tool.name() + " (reference " + reference + ").",
                    "Retry once; if it fails again, report the reference to your platform team."));
        }
    }

    /**
     * A call the store left unanswered (PostgreSQL down, restarting or unreachable), however the
     * domain wrapped the failure: UPSTREAM_UNAVAILABLE naming the store, retryable; the server
     * reconnects by itself once it answers (docs/architecture.md, "When the store is down").
     */
    static ToolException storeUnavailable(dev.trainops.store.StoreUnavailableException.Unanswered store) {
        return new ToolException(ErrorCode.UPSTREAM_UNAVAILABLE, store.message(), "Retry in a few seconds (a submission retried with its "
                + "idempotency_key is not doubled): trainops reconnects by itself once it answers. If it persists, check that PostgreSQL "
                + "runs and that TRAINOPS_DB_URL reaches it.", true, Map.of("backend", "store"));
    }

    private static ToolOutcome failure(ToolException e) {
        ToolError error = e.toError();
        String text = error.code() + ": " + error.message() + (error.hint().isEmpty() ? "" : " " + error.hint());
        return new ToolOutcome.Failure(error, text);
    }
}
