package dev.trainops.app;

import dev.trainops.server.EarlyInitialize;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The trainops command line. */
@Command(name = "trainops", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "GPU-aware, cost-aware training on Kubernetes and MLflow, for LLM assistants over MCP.")
public final class Main {
    /**
     * The subcommands, by name, in the order help lists them; in a holder, so that its classes and
     * lambdas load after the early {@code initialize} answer, not with Main.
     */
    private static final class Commands {
        static final java.util.Map<String, java.util.function.Supplier<Object>> ALL = new java.util.LinkedHashMap<>();

        static {
            ALL.put("serve", ServeCommand::new);
            ALL.put("chat", ChatCommand::new);
            ALL.put("bench", BenchCommand::new);
            ALL.put("simulate", SimulateCommand::new);
            ALL.put("quotas", QuotasCommand::new);
            ALL.put("audit", AuditCommand::new);
        }
    }

    /** The thread that prepares the initialize answer, if serve started one. */
    private static volatile Thread preparing;

    /**
     * Waits (bounded) for that thread before the MCP server is built, so the two never initialise
     * the same classes at once (two threads initialising classes that refer to each other can
     * deadlock); by then it has usually finished.
     */
    static void awaitPrepared() {
        Thread t = preparing;
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What {@code serve} read and answered before picocli, or null when it did not. */
    private static volatile EarlyInitialize early;

    static EarlyInitialize early() {
        return early;
    }

    /**
     * Over stdio, the first line is read here and an {@code initialize} request answered at once,
     * before picocli, Jackson and the MCP SDK are loaded: their loading is most of a launch's time
     * to the answer (docs/architecture.md, "Start-up"). The MCP server reads the same line later
     * and its own answer to it is dropped ({@link EarlyInitialize}). The start never waits on a
     * client: when nothing has arrived within {@link #FIRST_LINE_WAIT_MS}, the server starts as
     * usual and the SDK answers whatever comes (the loops run with no client, as before).
     */
    private static void answerInitialize() {
        try {
            long deadline = System.nanoTime() + FIRST_LINE_WAIT_MS * 1_000_000L;
            while (System.in.available() == 0) {
                if (System.nanoTime() > deadline) {
                    return;
                }
                Thread.sleep(2);
            }
            early = EarlyInitialize.answer(System.in, System.out, version());
        } catch (java.io.IOException e) {
            System.err.println("trainops: cannot read the first request: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How long the early answer waits for a client's first bytes before the server starts without it. */
    static final long FIRST_LINE_WAIT_MS = 1000;

    /**
     * Whether {@code serve}'s arguments mean MCP over stdio (the default transport) and not help or
     * the version, decided from the raw arguments: picocli is not loaded yet. Bad options still
     * fail in picocli, just after the answer.
     */
    static boolean overStdio(String[] args) {
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return false;
            }
            if (a.equals("--transport") && (i + 1 >= args.length || !args[i + 1].equals("stdio"))
                    || a.startsWith("--transport=") && !a.equals("--transport=stdio")) {
                return false;
            }
        }
        return true;
    }

    public static void main(String[] args) {
        // Logs go to stderr: over stdio, stdout belongs to the MCP protocol.
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        System.setProperty("org.slf4j.simpleLogger.log.io.fabric8", "warn");
        // LeaseElection says in one line what the elector logs with a stack trace on every retry
        System.setProperty("org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.extended.leaderelection", "off");
        // "unstable version v1alpha1" on every start: trainops.dev/v1alpha1 is trainops's own API, alpha by design
        System.setProperty("org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils", "error");
        System.setProperty("org.slf4j.simpleLogger.log.io.modelcontextprotocol", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.vertx", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.netty", "warn");
        if (args.length > 0 && args[0].equals("serve")) {
            if (overStdio(args)) {
                answerInitialize();
            }
            // the SDK's JSON, message types and logger, built on the second core while picocli parses
            Thread prepare = new Thread(dev.trainops.server.TrainopsMcpServer::prepare, "trainops-prepare");
            prepare.setDaemon(true);
            prepare.start();
            preparing = prepare;
        }
        int code = commandLine(args)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof IllegalArgumentException) {
                        // a bad option or configuration: the message says what to fix
                        cmd.getErr().println("trainops: " + e.getMessage());
                        return 2;
                    }
                    throw e;
                })
                .execute(args);
        // exit explicitly: a backend thread still finishing (a sandbox seeding on a busy machine) must
        // not keep a stopped server alive
        System.exit(code);
    }

    /**
     * The command line with only the subcommand the arguments name (all of them for help or an
     * unknown name): picocli reads every registered command's annotations at start, and over stdio
     * that time comes before the {@code initialize} answer.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        java.util.function.Supplier<Object> named = args.length > 0 ? Commands.ALL.get(args[0]) : null;
        if (named != null) {
            cl.addSubcommand(args[0], named.get());
        } else {
            Commands.ALL.forEach((name, command) -> cl.addSubcommand(name, command.get()));
        }
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"trainops " + version()};
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
