package dev.trainops.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How the Streamable HTTP transport listens.
 *
 * @param bind           the address to bind; loopback by default
 * @param port           the port; 0 picks a free one
 * @param bearerTokens   accepted bearer tokens; empty means no authentication
 * @param allowedOrigins extra browser origins allowed besides localhost ({@code https://app.example:*})
 */
public record HttpOptions(String bind, int port, Set<String> bearerTokens, List<String> allowedOrigins) {
    public HttpOptions {
        Objects.requireNonNull(bind, "bind must not be null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        bearerTokens = Set.copyOf(bearerTokens);
        allowedOrigins = List.copyOf(allowedOrigins);
        if (!isLoopback(bind) && bearerTokens.isEmpty()) {
            throw new IllegalArgumentException("Refusing to bind " + bind + " without authentication: anyone who can reach "
                    + "that address could queue jobs and spend budget. Pass --auth-token-file FILE, or bind 127.0.0.1.");
        }
    }

    public static HttpOptions loopback(int port) {
        return new HttpOptions("127.0.0.1", port, Set.of(), List.of());
    }

    static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Cannot resolve bind address '" + bind + "'.", e);
        }
    }
}
