package dev.trainops.server;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/** Checks {@code Authorization: Bearer <token>} on every request but the health probes. */
final class BearerAuthFilter implements Filter {
    private final Set<String> tokens;

    BearerAuthFilter(Set<String> tokens) {
        this.tokens = Set.copyOf(tokens);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String path = request.getRequestURI();
        if (tokens.isEmpty() || path.equals("/healthz") || path.equals("/readyz")) {
            chain.doFilter(req, res);
            return;
        }
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && accepted(header.substring(7).trim())) {
            // a bare token is an admin (DESIGN.md, "Identity and tenancy")
            request.setAttribute(McpToolAdapter.PRINCIPAL, dev.trainops.access.Principal.admin("token"));
            chain.doFilter(req, res);
            return;
        }
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader("WWW-Authenticate", "Bearer realm=\"trainops\"");
        response.setContentType("application/json");
        response.getWriter().write("{\"error\":\"unauthorized\",\"message\":\"Send Authorization: Bearer <token> with a token "
                + "from the server's --auth-token-file.\"}");
    }

    private boolean accepted(String presented) {
        byte[] p = presented.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (String token : tokens) {
            // constant-time per token, and every token is compared
            ok |= MessageDigest.isEqual(p, token.getBytes(StandardCharsets.UTF_8));
        }
        return ok;
    }
}
