package dev.trainops.app;

import dev.trainops.server.HttpLimits;
import picocli.CommandLine.Option;

/** {@code serve}'s limits on what an HTTP client may send (docs/security.md, "Input limits"). */
final class HttpLimitOptions {
    @Option(names = "--max-request-bytes", paramLabel = "N", description = "Largest request body /mcp accepts; beyond it 413 (default 1048576).")
    int maxRequestBytes = HttpLimits.DEFAULTS.maxRequestBytes();

    @Option(names = "--max-sessions", paramLabel = "N", description = "Most MCP sessions at once over HTTP; a new one beyond it gets 503 (default 1000).")
    int maxSessions = HttpLimits.DEFAULTS.maxSessions();

    HttpLimits limits() {
        return new HttpLimits(maxRequestBytes, maxSessions, HttpLimits.DEFAULTS.idleTimeout());
    }
}
