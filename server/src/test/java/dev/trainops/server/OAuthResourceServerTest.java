package dev.trainops.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolHints;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication over real HTTP (DESIGN.md, "Identity and tenancy"): Jetty through
 * {@link HttpTransport}, the MCP SDK's client, a token file, and an identity provider played by
 * WireMock (discovery and JWKS) whose tokens the test signs with keys it generates.
 */
class OAuthResourceServerTest {
    static final String MEMBER_TOKEN = "alice-token-0123456789abcdef";
    static final String AUDIENCE = "https://trainops.example.com/mcp";

    record WhoAmI(String note) {
    }

    record Caller(String subject, String role, List<String> teams) {
    }

    /** A tool that answers with who called it, as the catalog handed it the call. */
    final ToolCatalog catalog = new ToolCatalog(List.of(new Tool<>("whoami", "Who am I", "Answers with the caller.", WhoAmI.class,
            Caller.class, ToolHints.READ_ONLY, (Tool.Handler<WhoAmI, Caller>) (q, call) -> new Caller(call.principal().subject(),
            call.principal().role().wireName(), List.copyOf(call.principal().teams())), c -> c.subject(), Set.of())), List.of());

    @TempDir
    Path dir;
    final WireMockServer idp = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    final TestClock clock = new TestClock(Instant.now());
    final HttpClient http = HttpClient.newHttpClient();
    RSAKey rsa;
    ECKey ec;
    String issuer;
    HttpTransport transport;
    int port;

    @BeforeEach
    void identityProvider() throws Exception {
        idp.start();
        issuer = "http://localhost:" + idp.port() + "/realms/main";
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        idp.stubFor(get(urlEqualTo("/realms/main/.well-known/openid-configuration")).willReturn(okJson(
                "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/protocol/openid-connect/certs\"}")));
        publish(rsa, ec);
    }

    void publish(JWK... keys) {
        idp.stubFor(get(urlEqualTo("/realms/main/protocol/openid-connect/certs"))
                .willReturn(okJson(new JWKSet(List.of(keys)).toPublicJWKSet().toString())));
    }

    void start(String issuerUrl, URI publicUrl) throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, MEMBER_TOKEN + " subject=alice role=member teams=team-a\n");
        OidcVerifier oidc = new OidcVerifier(new OidcVerifier.Settings(URI.create(issuerUrl), AUDIENCE, "groups", "trainops-admins"), clock);
        Authenticator auth = new Authenticator(TokenFile.load(tokens, clock), oidc);
        transport = new HttpTransport(new TrainopsMcpServer(catalog, "test"), new HttpOptions("127.0.0.1", 0, auth, List.of(), publicUrl),
                () -> new Readiness(true, "ok"));
        port = transport.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (transport != null) {
            transport.close();
        }
        idp.stop();
    }

    JWTClaimsSet.Builder claims() {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder().issuer(issuer).audience(AUDIENCE).subject("bob")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
                .claim("groups", List.of("team-a", "team-b")).claim("scope", "openid trainops:read trainops:write");
    }

    static String sign(JWTClaimsSet claims, JWSAlgorithm alg, String kid, JWSSigner signer) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    String rs256(JWTClaimsSet claims) throws Exception {
        return sign(claims, JWSAlgorithm.RS256, rsa.getKeyID(), new RSASSASigner(rsa));
    }

    Caller whoami(String token) {
        try (McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp")
                .httpRequestCustomizer((builder, method, uri, body, context) -> builder.header("Authorization", "Bearer " + token))
                .build()).build()) {
            client.initialize();
            McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("whoami", Map.of("note", "hi")));
            assertThat(result.isError()).isFalse();
            Map<?, ?> s = (Map<?, ?>) result.structuredContent();
            return new Caller((String) s.get("subject"), (String) s.get("role"), ((List<?>) s.get("teams")).stream().map(String::valueOf).toList());
        }
    }

    @Test
    void aTokenFileMembersCallReachesTheToolAsThatPrincipal() throws Exception {
        start(issuer, null);
        assertThat(whoami(MEMBER_TOKEN)).isEqualTo(new Caller("alice", "member", List.of("team-a")));
    }

    @Test
    void rs256AndEs256TokensOfTheIssuerReachTheToolAsTheirClaimsSay() throws Exception {
        start(issuer, null);
        assertThat(whoami(rs256(claims().build()))).isEqualTo(new Caller("bob", "member", List.of("team-a", "team-b")));
        String admin = sign(claims().subject("carol").claim("groups", List.of("trainops-admins", "team-c")).build(), JWSAlgorithm.ES256,
                ec.getKeyID(), new ECDSASigner(ec));
        assertThat(whoami(admin)).isEqualTo(new Caller("carol", "admin", List.of("team-c")));
        // scp as an array (Okta), teams as one comma-separated string: read scope only is a viewer
        String viewer = rs256(claims().subject("dave").claim("scope", null).claim("scp", List.of("trainops:read"))
                .claim("groups", "team-b, /team-d").build());
        assertThat(whoami(viewer)).isEqualTo(new Caller("dave", "viewer", List.of("team-b", "team-d")));
        // 30 s past expiry is inside the 60 s of skew
        assertThat(whoami(rs256(claims().expirationTime(Date.from(clock.instant().minusSeconds(30))).build())).subject()).isEqualTo("bob");
    }

    @Test
    void aMissingTokenIs401PointingAtTheMetadata() throws Exception {
        start(issuer, null);
        HttpResponse<String> r = postInitialize(null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer resource_metadata=\"http://127.0.0.1:" + port
                + "/.well-known/oauth-protected-resource/mcp\", scope=\"trainops:read trainops:write\"");
        assertThat(r.body()).contains("\"error\":\"unauthorized\"").contains("Send Authorization: Bearer <token>").contains(issuer);
    }

    @Test
    void everyBadTokenIs401WithInvalidTokenAndTheMetadata() throws Exception {
        start(issuer, null);
        Instant now = clock.instant();
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("rsa-unknown").generate();
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put(rs256(claims().expirationTime(Date.from(now.minusSeconds(61))).build()), "The token has expired; get a new one.");
        expected.put(rs256(claims().notBeforeTime(Date.from(now.plusSeconds(120))).build()), "The token is not valid yet (nbf)");
        expected.put(rs256(claims().audience("https://other.example.com").build()), "The token is for the wrong audience");
        expected.put(rs256(claims().issuer("https://evil.example.com").build()), "The token is from the wrong issuer");
        expected.put(sign(claims().build(), JWSAlgorithm.RS256, "rsa-unknown", new RSASSASigner(stranger)),
                "The token is signed with a key that " + issuer + " does not publish");
        // a known kid, the wrong key: the signature does not hold
        expected.put(sign(claims().build(), JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(stranger)), "The token's signature is not valid");
        expected.put(sign(claims().build(), JWSAlgorithm.HS256, "rsa-1", new MACSigner(new byte[32])),
                "Tokens signed with HS256 are not accepted; the issuer must sign with RS256 or ES256.");
        expected.put(new PlainJWT(claims().build()).serialize(), "The token is not signed (alg none)");
        expected.put("not.a.jwt", "The bearer token is not a token this server accepts.");
        expected.put("wrong-token-0123456789abcdef", "The token is not one of the server's --auth-token-file tokens");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            HttpResponse<String> r = postInitialize(e.getKey());
            assertThat(r.statusCode()).as(e.getValue()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(e.getValue()).contains("Bearer error=\"invalid_token\", "
                    + "resource_metadata=\"http://127.0.0.1:" + port + "/.well-known/oauth-protected-resource/mcp\", "
                    + "scope=\"trainops:read trainops:write\"");
            assertThat(r.body()).as(e.getValue()).startsWith("{\"error\":\"invalid_token\",\"message\":\"").contains(e.getValue());
        }
    }

    @Test
    void aNewKeyIdCausesExactlyOneMoreJwksFetchAndThenSucceeds() throws Exception {
        start(issuer, null);
        assertThat(whoami(rs256(claims().build())).subject()).isEqualTo("bob");
        idp.verify(1, getRequestedFor(urlEqualTo("/realms/main/.well-known/openid-configuration")));
        idp.verify(1, getRequestedFor(urlEqualTo("/realms/main/protocol/openid-connect/certs")));

        // the issuer rotates: a second key, published beside the first
        RSAKey next = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        publish(rsa, next, ec);
        clock.advance(OidcVerifier.REFRESH_INTERVAL.plusSeconds(1));
        String rotated = sign(claims().build(), JWSAlgorithm.RS256, "rsa-2", new RSASSASigner(next));
        assertThat(whoami(rotated).subject()).isEqualTo("bob");
        assertThat(whoami(rotated).subject()).isEqualTo("bob");
        idp.verify(2, getRequestedFor(urlEqualTo("/realms/main/protocol/openid-connect/certs")));

        // a flood of made-up key ids within the refresh interval fetches nothing more
        RSAKey stranger = new RSAKeyGenerator(2048).generate();
        for (int i = 0; i < 5; i++) {
            assertThat(postInitialize(sign(claims().build(), JWSAlgorithm.RS256, "made-up-" + i, new RSASSASigner(stranger))).statusCode())
                    .isEqualTo(401);
        }
        idp.verify(2, getRequestedFor(urlEqualTo("/realms/main/protocol/openid-connect/certs")));
        idp.verify(1, getRequestedFor(urlEqualTo("/realms/main/.well-known/openid-configuration")));
    }

    @Test
    void theMetadataIsTheSameExactJsonAtBothPathsWithoutAToken() throws Exception {
        start(issuer, null);
        String json = "{\"resource\":\"http://127.0.0.1:" + port + "/mcp\",\"authorization_servers\":[\"" + issuer + "\"],"
                + "\"scopes_supported\":[\"trainops:read\",\"trainops:write\"],\"bearer_methods_supported\":[\"header\"]}";
        for (String path : List.of("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            assertThat(r.body()).as(path).isEqualTo(json);
        }
    }

    @Test
    void withAPublicUrlTheMetadataAndTheChallengeNameIt() throws Exception {
        start(issuer, URI.create("https://trainops.example.com/mcp"));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/.well-known/oauth-protected-resource/mcp")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).startsWith("{\"resource\":\"https://trainops.example.com/mcp\",");
        assertThat(postInitialize(null).headers().firstValue("WWW-Authenticate")).contains("Bearer resource_metadata="
                + "\"https://trainops.example.com/.well-known/oauth-protected-resource/mcp\", scope=\"trainops:read trainops:write\"");
    }

    @Test
    void aDeadIdentityProviderIsABounded503NotAHang() throws Exception {
        idp.stubFor(get(urlEqualTo("/realms/main/.well-known/openid-configuration")).willReturn(aResponse().withFixedDelay(20_000)));
        start(issuer, null);
        long started = System.nanoTime();
        HttpResponse<String> r = postInitialize(rs256(claims().build()));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).contains("5");
        assertThat(r.body()).isEqualTo("{\"error\":\"temporarily_unavailable\",\"message\":\"The identity provider " + issuer
                + " did not answer with its keys; retry shortly.\"}");
        assertThat(took).isLessThan(Duration.ofSeconds(10));
        // the token file still works while the identity provider is down
        assertThat(whoami(MEMBER_TOKEN).subject()).isEqualTo("alice");
    }

    private HttpResponse<String> postInitialize(String token) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
