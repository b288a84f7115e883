package dev.trainops.server;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How the Streamable HTTP transport listens.
 *
 * @param bind           the address to bind; loopback by default
 * @param port           the port; 0 picks a free one
 * @param authenticator  who a bearer token is ({@code --auth-token-file}, {@code --oidc-issuer});
 *                       {@link Authenticator#NONE} means no authentication
 * @param allowedOrigins extra browser origins allowed besides localhost ({@code https://app.example:*})
 * @param publicUrl      the MCP endpoint's public URL ({@code --public-url}, e.g. {@code https://trainops.example.com/mcp})
 *                       for the protected-resource metadata; null derives it from each request
 */
public record HttpOptions(String bind, int port, Authenticator authenticator, List<String> allowedOrigins, URI publicUrl) {
    public HttpOptions {
        Objects.requireNonNull(bind, "bind must not be null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        Objects.requireNonNull(authenticator, "authenticator must not be null");
        allowedOrigins = List.copyOf(allowedOrigins);
        if (publicUrl != null && (publicUrl.getScheme() == null || publicUrl.getHost() == null)) {
            throw new IllegalArgumentException("--public-url must be an absolute URL such as https://trainops.example.com/mcp, was '"
                    + publicUrl + "'.");
        }
        if (!isLoopback(bind) && !authenticator.configured()) {
            throw new IllegalArgumentException("Refusing to bind " + bind + " without authentication: anyone who can reach "
                    + "that address could queue jobs and spend budget. Pass --auth-token-file FILE or --oidc-issuer URL "
                    + "--oidc-audience URI, or bind 127.0.0.1.");
        }
    }

    /** Bare bearer tokens, each an admin; empty means no authentication. */
    public HttpOptions(String bind, int port, Set<String> bearerTokens, List<String> allowedOrigins) {
        this(bind, port, Authenticator.adminTokens(bearerTokens), allowedOrigins, null);
    }

    public static HttpOptions loopback(int port) {
        return new HttpOptions("127.0.0.1", port, Authenticator.NONE, List.of(), null);
    }

    static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Cannot resolve bind address '" + bind + "'.", e);
        }
    }
}
