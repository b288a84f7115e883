package dev.trainops.app;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;

/** A Deployment's arguments as {@code serve} parses them, for the deploy tests: the webhook's options. */
public final class WebhookDeployment {
    private WebhookDeployment() {
    }

    /** {@code --webhook-port}, {@code --tls-cert} and {@code --tls-key} as {@code serve} reads them from {@code args}. */
    public record Parsed(Integer port, Path certFile, Path keyFile) {
    }

    public static Parsed parse(List<String> args) {
        String[] a = args.toArray(String[]::new);
        CommandLine.ParseResult parsed = Main.commandLine(a).parseArgs(a);
        ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();
        return new Parsed(serve.webhook.port, serve.webhook.certFile, serve.webhook.keyFile);
    }
}
