package dev.trainops.app;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code trainops chat --token}: the agent acts for the token's principal, and the local principal comes from the environment. */
class ChatAsPrincipalTest {
    static final String VIEWER_TOKEN = "vera-token-0123456789abcdef";

    @Test
    void rule3_anAgentActingForAViewerIsRefusedAWriteToolNamingTheScope(@TempDir Path data) throws Exception {
        Path tokens = data.resolve("tokens");
        Files.writeString(tokens, VIEWER_TOKEN + " subject=vera role=viewer teams=team-a\n");
        WireMockServer openAi = new WireMockServer(options().dynamicPort());
        openAi.start();
        try {
            // the model asks to cancel another team's job; the catalog answers for vera, a viewer
            openAi.stubFor(post(urlPathEqualTo("/v1/chat/completions")).inScenario("chat").whenScenarioStateIs(Scenario.STARTED)
                    .willSetStateTo("answered").willReturn(okJson(ChatCommandTest.completion("{\"role\":\"assistant\",\"content\":null,"
                            + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"cancel_training_job\",\"arguments\":"
                            + "\"{\\\"job_name\\\":\\\"team-b-train\\\",\\\"role\\\":\\\"admin\\\"}\"}}]}", "tool_calls"))));
            openAi.stubFor(post(urlPathEqualTo("/v1/chat/completions")).inScenario("chat").whenScenarioStateIs("answered")
                    .willReturn(okJson(ChatCommandTest.completion("{\"role\":\"assistant\",\"content\":\"I may not cancel it.\"}", "stop"))));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ChatCommand chat = new ChatCommand(new ByteArrayInputStream("Cancel team-b-train.\n".getBytes(StandardCharsets.UTF_8)),
                    new PrintStream(out, true, StandardCharsets.UTF_8), Map.of());
            int exit = new CommandLine(chat).execute("--base-url", openAi.baseUrl() + "/v1", "--api-key", "test-key", "--model", "gpt-test",
                    "--token", VIEWER_TOKEN, "--auth-token-file", tokens.toString(),
                    "--sandbox", "--config-dir", ChatCommandTest.CONFIG, "--data-dir", data.toString());
            assertThat(exit).isZero();
            String toolResult = openAi.findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))).get(1).getBodyAsString();
            assertThat(toolResult).contains("FORBIDDEN").contains("vera is a viewer").contains("trainops:write");
        } finally {
            openAi.stop();
        }
    }

    @Test
    void aTokenTheFileDoesNotHoldEndsChatWithWhatToDo(@TempDir Path data) throws Exception {
        Path tokens = data.resolve("tokens");
        Files.writeString(tokens, VIEWER_TOKEN + " subject=vera role=viewer teams=team-a\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new ChatCommand(new ByteArrayInputStream(new byte[0]), System.out, Map.of()))
                    .execute("--token", "some-other-token-0123456789", "--auth-token-file", tokens.toString(),
                            "--sandbox", "--config-dir", ChatCommandTest.CONFIG, "--data-dir", data.toString());
        } finally {
            System.setErr(saved);
        }
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--token: The token is not one of the server's --auth-token-file tokens")
                .doesNotContain("some-other-token");
    }

    @Test
    void theLocalPrincipalIsAnAdminUnlessTrainopsTeamsAndRoleSayOtherwise() {
        assertThat(AuthOptions.localPrincipal(Map.of())).isEqualTo(Principal.LOCAL);
        assertThat(AuthOptions.localPrincipal(Map.of("TRAINOPS_TEAMS", "team-a, team-b", "TRAINOPS_ROLE", "viewer", "USER", "kim")))
                .isEqualTo(new Principal("kim", Set.of("team-a", "team-b"), Role.VIEWER));
        assertThat(AuthOptions.localPrincipal(Map.of("TRAINOPS_TEAMS", "team-a")))
                .isEqualTo(new Principal("local", Set.of("team-a"), Role.MEMBER));
        assertThatThrownBy(() -> AuthOptions.localPrincipal(Map.of("TRAINOPS_ROLE", "member")))
                .hasMessage("TRAINOPS_ROLE=member needs TRAINOPS_TEAMS, e.g. TRAINOPS_TEAMS=team-a,team-b.");
        assertThatThrownBy(() -> AuthOptions.localPrincipal(Map.of("TRAINOPS_ROLE", "root")))
                .hasMessage("TRAINOPS_ROLE must be viewer, member or admin, was 'root'.");
    }

    @Test
    void aJwtTokenOfTheIssuerMakesTheChatPrincipal() throws Exception {
        WireMockServer idp = new WireMockServer(options().dynamicPort());
        idp.start();
        try {
            String issuer = idp.baseUrl() + "/realms/main";
            com.nimbusds.jose.jwk.RSAKey key = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("k1").generate();
            idp.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/realms/main/.well-known/openid-configuration")
                    .willReturn(okJson("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/certs\"}")));
            idp.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/realms/main/certs")
                    .willReturn(okJson(new com.nimbusds.jose.jwk.JWKSet(key).toPublicJWKSet().toString())));
            com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader.Builder(
                    com.nimbusds.jose.JWSAlgorithm.RS256).keyID("k1").build(), new com.nimbusds.jwt.JWTClaimsSet.Builder().issuer(issuer)
                    .audience("trainops").subject("erin").expirationTime(new java.util.Date(System.currentTimeMillis() + 300_000))
                    .claim("groups", java.util.List.of("team-a")).claim("scope", "trainops:write").build());
            jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(key));
            AuthOptions options = new AuthOptions();
            options.oidcIssuer = issuer;
            options.oidcAudience = "trainops";
            options.teamsClaim = "groups";
            options.adminGroup = "trainops-admins";
            assertThat(options.chatPrincipal(jwt.serialize(), Map.of(), Clock.systemUTC()))
                    .isEqualTo(new Principal("erin", Set.of("team-a"), Role.MEMBER));
            // without --token, TRAINOPS_TOKEN, else the local user
            assertThat(options.chatPrincipal(null, Map.of("TRAINOPS_TOKEN", jwt.serialize()), Clock.systemUTC()).subject()).isEqualTo("erin");
            assertThat(options.chatPrincipal(null, Map.of(), Clock.systemUTC())).isEqualTo(Principal.LOCAL);
        } finally {
            idp.stop();
        }
    }

    @Test
    void anAudienceWithoutAnIssuerIsRefused() {
        AuthOptions options = new AuthOptions();
        options.oidcAudience = "https://trainops.example.com/mcp";
        assertThatThrownBy(() -> options.authenticator(Clock.systemUTC()))
                .hasMessage("--oidc-audience needs --oidc-issuer: the issuer whose tokens carry that audience.");
        options.oidcIssuer = "http://idp.example.com/realms/main";
        options.teamsClaim = "groups";
        options.adminGroup = "trainops-admins";
        assertThatThrownBy(() -> options.authenticator(Clock.systemUTC()))
                .hasMessage("--oidc-issuer must be https (plain http only on a loopback address), was http://idp.example.com/realms/main.");
    }
}
