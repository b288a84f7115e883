package dev.trainops.server;

import dev.trainops.catalog.Json;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks {@code Authorization: Bearer <token>} on every request but the health probes and the
 * protected-resource metadata, and puts who the token is in the request attribute
 * {@link McpToolAdapter#PRINCIPAL}. A missing or bad token is a 401 whose {@code WWW-Authenticate}
 * points at the metadata (RFC 9728, RFC 6750); an identity provider that cannot be reached is a 503.
 */
final class BearerAuthFilter implements Filter {
    private final Authenticator authenticator;
    private final ProtectedResourceMetadata metadata;

    /** {@code metadata} null: no metadata is served (the metrics port), the challenge names a realm only. */
    BearerAuthFilter(Authenticator authenticator, ProtectedResourceMetadata metadata) {
        this.authenticator = authenticator;
        this.metadata = metadata;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String path = request.getRequestURI();
        if (!authenticator.configured() || path.equals("/healthz") || path.equals("/readyz")
                || path.equals(ProtectedResourceMetadata.PATH) || path.startsWith(ProtectedResourceMetadata.PATH + "/")) {
            chain.doFilter(req, res);
            return;
        }
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            refuse(request, response, HttpServletResponse.SC_UNAUTHORIZED, null, "unauthorized",
                    "Send Authorization: Bearer <token>" + (authenticator.oidc().isPresent()
                            ? ": an access token from " + authenticator.oidc().get().issuer() + " (see " + ProtectedResourceMetadata.PATH + ")"
                            + " or a token from the server's --auth-token-file."
                            : " with a token from the server's --auth-token-file."));
            return;
        }
        Authenticator.Outcome outcome = authenticator.authenticate(header.substring(7).trim());
        if (outcome instanceof Authenticator.Outcome.Accepted accepted) {
            request.setAttribute(McpToolAdapter.PRINCIPAL, accepted.principal());
            chain.doFilter(req, res);
        } else if (outcome instanceof Authenticator.Outcome.Rejected rejected) {
            refuse(request, response, HttpServletResponse.SC_UNAUTHORIZED, "invalid_token", "invalid_token", rejected.message());
        } else {
            response.setHeader("Retry-After", "5");
            refuse(request, response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, null, "temporarily_unavailable",
                    ((Authenticator.Outcome.Unavailable) outcome).message());
        }
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, int status, String challengeError, String error,
                        String message) throws IOException {
        response.setStatus(status);
        if (status == HttpServletResponse.SC_UNAUTHORIZED) {
            response.setHeader("WWW-Authenticate", metadata != null ? metadata.challenge(request, challengeError)
                    : "Bearer realm=\"trainops\"" + (challengeError == null ? "" : ", error=\"" + challengeError + "\""));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(Json.write(body));
    }
}
