package dev.trainops.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The trainops command line. */
@Command(name = "trainops", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "GPU-aware, cost-aware training on Kubernetes and MLflow, for LLM assistants over MCP.")
public final class Main {
    /** The subcommands, by name, in the order help lists them. */
    static final java.util.Map<String, java.util.function.Supplier<Object>> COMMANDS = new java.util.LinkedHashMap<>();

    static {
        COMMANDS.put("serve", ServeCommand::new);
        COMMANDS.put("chat", ChatCommand::new);
        COMMANDS.put("bench", BenchCommand::new);
        COMMANDS.put("quotas", QuotasCommand::new);
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

    public static void main(String[] args) {
        // Logs go to stderr: over stdio, stdout belongs to the MCP protocol.
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        System.setProperty("org.slf4j.simpleLogger.log.io.fabric8", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.modelcontextprotocol", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.vertx", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.netty", "warn");
        if (args.length > 0 && args[0].equals("serve")) {
            // the initialize answer's JSON, message types and logger, built on the second core while picocli parses
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
        java.util.function.Supplier<Object> named = args.length > 0 ? COMMANDS.get(args[0]) : null;
        if (named != null) {
            cl.addSubcommand(args[0], named.get());
        } else {
            COMMANDS.forEach((name, command) -> cl.addSubcommand(name, command.get()));
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
