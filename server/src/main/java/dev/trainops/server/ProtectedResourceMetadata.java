package dev.trainops.server;

import dev.trainops.access.Access;
import dev.trainops.catalog.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 9728 protected-resource metadata, at {@value #PATH} and {@value #PATH}{@code /mcp}, served
 * without authentication: the MCP URL ({@code resource}), the issuer that signs its tokens
 * ({@code authorization_servers}), its scopes. The MCP URL is {@code --public-url} when given, else
 * derived from the request's scheme and {@code Host} (right when clients reach this server directly;
 * behind a TLS-terminating proxy, set {@code --public-url}).
 */
final class ProtectedResourceMetadata extends HttpServlet {
    static final String PATH = "/.well-known/oauth-protected-resource";
    static final List<String> SCOPES = List.of(Access.READ_SCOPE, Access.WRITE_SCOPE);

    private final URI publicUrl;
    private final Authenticator authenticator;

    ProtectedResourceMetadata(URI publicUrl, Authenticator authenticator) {
        this.publicUrl = publicUrl;
        this.authenticator = authenticator;
    }

    /** The public URL of the MCP endpoint, e.g. {@code https://trainops.example.com/mcp}. */
    String resource(HttpServletRequest request) {
        if (publicUrl != null) {
            return publicUrl.toString();
        }
        String host = request.getHeader("Host");
        if (host == null || host.isBlank()) {
            host = request.getServerName() + ":" + request.getServerPort();
        }
        return request.getScheme() + "://" + host + HttpTransport.MCP_PATH;
    }

    /** Where the metadata of {@link #resource} is: the well-known path between the host and the resource's path (RFC 9728, 3.1). */
    String metadataUrl(HttpServletRequest request) {
        URI resource = URI.create(resource(request));
        String path = resource.getRawPath() == null || resource.getRawPath().equals("/") ? "" : resource.getRawPath();
        return resource.getScheme() + "://" + resource.getRawAuthority() + PATH + path;
    }

    /** The {@code WWW-Authenticate} value for a 401; {@code error} is null for a request that sent no token. */
    String challenge(HttpServletRequest request, String error) {
        StringBuilder b = new StringBuilder("Bearer ");
        if (error != null) {
            b.append("error=\"").append(error).append("\", ");
        }
        b.append("resource_metadata=\"").append(metadataUrl(request)).append('"');
        if (authenticator.oidc().isPresent()) {
            b.append(", scope=\"").append(String.join(" ", SCOPES)).append('"');
        }
        return b.toString();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("resource", resource(request));
        authenticator.oidc().ifPresent(o -> metadata.put("authorization_servers", List.of(o.issuer().toString())));
        metadata.put("scopes_supported", SCOPES);
        metadata.put("bearer_methods_supported", List.of("header"));
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "max-age=300");
        response.getWriter().write(Json.write(metadata));
    }
}
