package dev.trainops.app;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.trainops.app.IsolationMatrix.Caller;
import static dev.trainops.app.IsolationMatrix.Kind;
import static dev.trainops.app.IsolationMatrix.Row;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's isolation matrix over Streamable HTTP through the MCP SDK's client, against the
 * packaged server on the sandbox with a token file and an OIDC issuer (WireMock serving discovery
 * and a JWKS of keys this test generates): every tool, resource and prompt, as a team-a member
 * (token file), team-b's member (JWT, scope trainops:write), team-b's viewer (token file), an admin
 * (JWT, group trainops-admins), and with no token, an expired token, the wrong audience, the wrong
 * issuer and a key the issuer does not publish. Each cell is compared with {@link IsolationMatrix}'s
 * rules; the matrix is printed and written to target/isolation-matrix.txt. Then the audit log shows
 * team-a's refused attempts on team-b's job and team (rule 7).
 */
class IsolationMatrixIT {
    static final String ALICE = "alice-team-a-token-0123456789";
    static final String VERA = "vera-team-b-viewer-0123456789";

    @TempDir
    Path dir;
    final WireMockServer idp = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    final HttpClient http = HttpClient.newHttpClient();
    final List<McpSyncClient> clients = new ArrayList<>();
    Process server;
    String issuer;
    String audience;
    String mcp;
    RSAKey key;

    @AfterEach
    void stop() throws Exception {
        clients.forEach(McpSyncClient::closeGracefully);
        if (server != null) {
            server.destroy();
            server.waitFor();
        }
        idp.stop();
    }

    @Test
    @SuppressWarnings("unchecked")
    void rule1to5_everyToolResourceAndPromptGivesEachCallerWhatTheRulesSay() throws Exception {
        Map<Caller, String> tokens = start();
        Map<Caller, McpSyncClient> as = new EnumMap<>(Caller.class);
        for (Caller c : List.of(Caller.ADMIN, Caller.TEAM_A, Caller.TEAM_B, Caller.VIEWER)) {
            as.put(c, connect(tokens.get(c)));
        }
        McpSyncClient admin = as.get(Caller.ADMIN);

        // team-b's named items (and one of team-a's), queued by the admin; runs from the sandbox's history (teams.yaml: mnist -> team-b)
        String teamAJob = (String) SandboxServers.call(admin, "queue_training_job", job("team-a", "llm", "H100", "iso-a-job")).get("job_id");
        String teamBJob = (String) SandboxServers.call(admin, "queue_training_job", job("team-b", "mnist", "L4", "iso-b-job")).get("job_id");
        String cancelTarget = (String) SandboxServers.call(admin, "queue_training_job", job("team-b", "mnist", "L4", "iso-b-cancel"))
                .get("job_id");
        String batch = (String) SandboxServers.call(admin, "submit_batch_training", Map.of("batch_name", "iso-b-batch",
                "jobs", List.of(job("team-b", "mnist", "L4", "iso-b-batch-1")))).get("batch_id");
        String teamBRun = "mnist-bs32";
        assertThat(as.get(Caller.TEAM_B).completeCompletion(new McpSchema.CompleteRequest(new McpSchema.PromptReference("train_cheaper"),
                new McpSchema.CompleteRequest.CompleteArgument("run_id", "mnist"))).completion().values()).contains(teamBRun);
        // every name of team-b's that a team-a member must never read (the rows queue iso-b-queued and iso-b-batch-2 as they run)
        List<String> teamBNames = List.of(teamBJob, cancelTarget, batch, teamBRun, "iso-b-job", "iso-b-cancel", "iso-b-batch", "iso-b-queued",
                MODEL_B);
        assertThat(teamAJob).isNotBlank();

        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        List<Row> rows = rows(teamBJob, cancelTarget, batch, teamBRun, month);
        assertEveryToolResourceAndPromptHasARow(admin, rows);

        IsolationMatrix.Results results = new IsolationMatrix.Results();
        for (Row row : rows) {
            for (Caller c : IsolationMatrix.runOrder()) {
                if (c.authenticated()) {
                    Answer a = answer(as.get(c), row);
                    results.put(row, c, a.outcome());
                    if (c == Caller.TEAM_A && a.outcome().equals(IsolationMatrix.NOT_FOUND)) {
                        sameAsNothing(as.get(c), row, a, teamBNames, results);
                    }
                    if (row.cluster() && c == Caller.TEAM_A && a.outcome().equals(IsolationMatrix.OK)) {
                        for (String name : teamBNames) {
                            if (a.text().contains(name)) {
                                results.put(row, c, "LEAK");
                                results.note(row, c, "names team-b's " + name);
                            }
                        }
                    }
                } else {
                    results.put(row, c, unauthenticated(row, tokens.get(c)));
                }
            }
        }
        String matrix = results.print();
        System.out.println(matrix);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "isolation-matrix.txt"), matrix);
        assertThat(results.cells()).isEqualTo(rows.size() * Caller.values().length);
        assertThat(results.mismatches()).as(matrix).isEmpty();
        assertThat(results.comparedWithNothingCount()).isEqualTo(rows.stream().filter(r -> IsolationMatrix.NOT_FOUND.equals(r.expected(Caller.TEAM_A)))
                .count());

        // rule 7: team-a's refused attempts on team-b's job and team are in the audit log, as alice, NOT_FOUND
        List<Map<String, Object>> entries = (List<Map<String, Object>>) SandboxServers.call(admin, "get_audit_log",
                Map.of("principal", "alice", "limit", 1000)).get("entries");
        assertThat(entries).as("alice's audit entries").allSatisfy(e -> assertThat(((Map<String, Object>) e.get("principal")).get("subject"))
                .isEqualTo("alice"));
        for (String tool : List.of("cancel_training_job", "queue_training_job", "submit_batch_training")) {
            assertThat(entries).as(tool + " in " + entries).anySatisfy(e -> {
                assertThat(e.get("tool")).isEqualTo(tool);
                assertThat(e.get("outcome")).isEqualTo("NOT_FOUND");
            });
        }
        // and so are its refused reads: seeing, forecasting, recommending on and reporting team-b's jobs, runs and costs
        for (String tool : List.of("get_job_queue_status", "forecast_training_cost", "recommend_cost_optimization", "generate_cost_report",
                "get_budget_status")) {
            assertThat(entries).as(tool + " in " + entries).anySatisfy(e -> {
                assertThat(e.get("tool")).isEqualTo(tool);
                assertThat(e.get("outcome")).isEqualTo("NOT_FOUND");
            });
        }
        assertThat(entries).filteredOn(e -> "cancel_training_job".equals(e.get("tool")))
                .anySatisfy(e -> assertThat((String) e.get("arguments")).contains(cancelTarget));
        // the viewer's refused cancel is there too, as FORBIDDEN
        List<Map<String, Object>> viewer = (List<Map<String, Object>>) SandboxServers.call(admin, "get_audit_log",
                Map.of("principal", "vera", "tool", "cancel_training_job")).get("entries");
        assertThat(viewer).extracting(e -> e.get("outcome")).containsExactly("FORBIDDEN");
    }

    /** Every row targets team-b's job, batch, run or team where it has a target (docs/tools.md, "Identity rules"). */
    /** Team-b's registered model, made by the register_model row from team-b's run. */
    static final String MODEL_B = "iso-b-model";

    static List<Row> rows(String job, String cancel, String batch, String run, YearMonth month) {
        String from = month.atDay(1).toString();
        String to = month.plusMonths(1).atDay(1).toString();
        List<Row> rows = new ArrayList<>();
        rows.add(IsolationMatrix.clusterWide(Kind.TOOL, "get_gpu_availability", Map.of()));
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "get_budget_status", Map.of("scope", "team-b")));
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "generate_cost_report", Map.of("start_date", from, "end_date", to, "team", "team-b")));
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "forecast_training_cost", Map.of("job_name", job, "remaining_epochs", 1)));
        // configs of mnist: estimated from mnist's runs, which are team-b's (rule 6), so team-a's member finds no such model
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "compare_training_configs", Map.of("configs", List.of(
                Map.of("model", "mnist", "epochs", 2, "gpu_type", "L4"), Map.of("model", "mnist", "epochs", 2, "gpu_type", "T4")))));
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "recommend_cost_optimization", Map.of("run_id", run)));
        rows.add(IsolationMatrix.writeOfTeamB("queue_training_job", job("team-b", "mnist", "L4", "iso-b-queued")));
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "get_job_queue_status", Map.of("job_id", job)));
        rows.add(IsolationMatrix.writeOfTeamB("cancel_training_job", Map.of("job_id", cancel, "reason", "isolation matrix")));
        rows.add(IsolationMatrix.writeOfTeamB("submit_batch_training", Map.of("batch_name", "iso-b-batch-2",
                "jobs", List.of(job("team-b", "mnist", "L4", "iso-b-batch-2")))));
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "get_batch_status", Map.of("batch_id", batch)));
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "validate_job_resources", Map.of("model", "mnist", "epochs", 1, "batch_size", 64,
                "gpu_type", "L4", "team", "team-b")));
        rows.add(IsolationMatrix.clusterWide(Kind.TOOL, "decide_job_priority", Map.of("model", "mnist")));
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "check_training_quota", Map.of("team", "team-b")));
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "calculate_quota", Map.of("team", "team-b", "gpu_count", 1)));
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "get_training_health_status", Map.of("team", "team-b")));
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "get_resource_utilization_report", Map.of("team", "team-b")));
        // the registry (issue 18): team-b's finished run registered as team-b's model, then promoted and read; the admin's
        // second register and promote change nothing (idempotent), so every write cell can be OK
        rows.add(IsolationMatrix.writeOfTeamB("register_model", Map.of("run_id", run, "name", MODEL_B)));
        rows.add(IsolationMatrix.writeOfTeamB("promote_model", Map.of("name", MODEL_B, "version", "1", "stage", "dev", "reason", "isolation matrix")));
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "get_model_lineage", Map.of("name", MODEL_B)));
        rows.add(IsolationMatrix.readOfTeamB(Kind.TOOL, "list_models", Map.of("team", "team-b")));
        rows.add(IsolationMatrix.adminOnly("get_audit_log", Map.of("team", "team-b")));
        rows.add(IsolationMatrix.clusterWide(Kind.RESOURCE, "trainops://gpus", Map.of()));
        rows.add(IsolationMatrix.clusterWide(Kind.RESOURCE, "trainops://queue", Map.of()));
        rows.add(IsolationMatrix.clusterWide(Kind.RESOURCE, "trainops://pricing", Map.of()));
        rows.add(IsolationMatrix.readOfTeamB(Kind.RESOURCE, "trainops://jobs/" + job, Map.of()));
        rows.add(IsolationMatrix.readOfTeamB(Kind.RESOURCE, "trainops://budgets/team-b", Map.of()));
        rows.add(IsolationMatrix.clusterWide(Kind.RESOURCE, "trainops://reports/cost/" + month, Map.of()));
        rows.add(IsolationMatrix.readOfTeamB(Kind.PROMPT, "cost_review", Map.of("team", "team-b", "month", month.toString())));
        rows.add(IsolationMatrix.readOfTeamB(Kind.PROMPT, "why_is_my_job_pending", Map.of("job_id", job)));
        rows.add(IsolationMatrix.readOfTeamB(Kind.PROMPT, "train_within_budget", Map.of("model", "mnist", "epochs", "2", "budget", "5",
                "team", "team-b")));
        rows.add(IsolationMatrix.readOfTeamB(Kind.PROMPT, "train_cheaper", Map.of("run_id", run)));
        rows.add(IsolationMatrix.readOfTeamB(Kind.PROMPT, "promote_best_model", Map.of("model", MODEL_B)));
        return rows;
    }

    /** A new tool, resource or prompt fails here until the matrix has a row for it. */
    static void assertEveryToolResourceAndPromptHasARow(McpSyncClient admin, List<Row> rows) {
        List<String> called = rows.stream().map(Row::name).toList();
        assertThat(called).containsAll(admin.listTools().tools().stream().map(McpSchema.Tool::name).toList());
        assertThat(called).containsAll(admin.listPrompts().prompts().stream().map(McpSchema.Prompt::name).toList());
        assertThat(called).containsAll(admin.listResources().resources().stream().map(McpSchema.Resource::uri).toList());
        for (McpSchema.ResourceTemplate t : admin.listResourceTemplates().resourceTemplates()) {
            String prefix = t.uriTemplate().substring(0, t.uriTemplate().indexOf('{'));
            assertThat(called).as(t.uriTemplate()).anyMatch(uri -> uri.startsWith(prefix));
        }
    }

    record Answer(String outcome, String text) {
    }

    /**
     * Rule 1: team-b's named item is refused exactly as one that does not exist: the same call
     * naming nothing (tj-000000000000, team-z, ...) answers the same code and the same text but for the name.
     */
    @SuppressWarnings("unchecked")
    static void sameAsNothing(McpSyncClient client, Row row, Answer refused, List<String> teamBNames, IsolationMatrix.Results results) {
        // what each of team-b's names becomes: ids of the right shape and names nobody has; ids first, the model last
        Map<String, String> ghosts = new LinkedHashMap<>();
        teamBNames.stream().filter(n -> n.startsWith("tj-") || n.startsWith("tb-")).forEach(n -> ghosts.put(n, n.substring(0, 3) + "000000000000"));
        ghosts.put("team-b", "team-z");
        ghosts.put("mnist-bs32", "no-such-run");
        ghosts.put(MODEL_B, "no-such-registered-model");
        ghosts.put("mnist", "no-such-model");
        String target = ghosts.keySet().stream().filter(t -> mentions(row.arguments(), t) || row.name().endsWith("/" + t)).findFirst()
                .orElseThrow(() -> new AssertionError(row.label() + " names none of team-b's items"));
        String ghost = ghosts.get(target);
        Row nothing = new Row(row.kind(), row.name().endsWith("/" + target) ? row.name().replace(target, ghost) : row.name(),
                (Map<String, Object>) replace(row.arguments(), target, ghost), row.expected(), false);
        Answer none = answer(client, nothing);
        results.comparedWithNothing();
        if (!none.outcome().equals(refused.outcome()) || !none.text().replace(ghost, target).equals(refused.text())) {
            results.put(row, Caller.TEAM_A, "LEAK");
            results.note(row, Caller.TEAM_A, "team-b's answer \"" + refused.text() + "\" differs from nothing's \"" + none.text() + "\"");
        }
    }

    static boolean mentions(Object value, String name) {
        if (value instanceof Map<?, ?> m) {
            return m.values().stream().anyMatch(v -> mentions(v, name));
        }
        return value instanceof List<?> l ? l.stream().anyMatch(v -> mentions(v, name)) : name.equals(value);
    }

    @SuppressWarnings("unchecked")
    static Object replace(Object value, String target, String ghost) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> out.put(k, replace(v, target, ghost)));
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(v -> replace(v, target, ghost)).toList();
        }
        return target.equals(value) ? ghost : value;
    }

    /** OK, or the error's code: a tool's from {@code _meta}, a resource's or prompt's from the JSON-RPC error (resource not found: NOT_FOUND). */
    @SuppressWarnings("unchecked")
    static Answer answer(McpSyncClient client, Row row) {
        try {
            switch (row.kind()) {
                case TOOL -> {
                    McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest(row.name(), row.arguments()));
                    if (!Boolean.TRUE.equals(r.isError())) {
                        return new Answer(IsolationMatrix.OK, McpJsonDefaults.getMapper().writeValueAsString(r));
                    }
                    return new Answer((String) SandboxServers.error(r).get("code"), String.valueOf(r.content()));
                }
                case RESOURCE -> {
                    McpSchema.ReadResourceResult r = client.readResource(new McpSchema.ReadResourceRequest(row.name()));
                    return new Answer(IsolationMatrix.OK, McpJsonDefaults.getMapper().writeValueAsString(r));
                }
                default -> {
                    McpSchema.GetPromptResult r = client.getPrompt(new McpSchema.GetPromptRequest(row.name(), row.arguments()));
                    return new Answer(IsolationMatrix.OK, McpJsonDefaults.getMapper().writeValueAsString(r));
                }
            }
        } catch (McpError e) {
            McpSchema.JSONRPCResponse.JSONRPCError error = e.getJsonRpcError();
            if (error.code() == McpSchema.ErrorCodes.RESOURCE_NOT_FOUND) {
                return new Answer(IsolationMatrix.NOT_FOUND, error.message());
            }
            Object code = error.data() instanceof Map<?, ?> data ? ((Map<String, Object>) data).get("code") : null;
            return new Answer(code == null ? "RPC " + error.code() : code.toString(), error.message());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** One raw POST of the row's JSON-RPC request with a bad token, or none: 401 pointing at the metadata, else what came back. */
    String unauthenticated(Row row, String token) throws Exception {
        Map<String, Object> params = new LinkedHashMap<>();
        String method = switch (row.kind()) {
            case TOOL -> {
                params.put("name", row.name());
                params.put("arguments", row.arguments());
                yield "tools/call";
            }
            case RESOURCE -> {
                params.put("uri", row.name());
                yield "resources/read";
            }
            case PROMPT -> {
                params.put("name", row.name());
                params.put("arguments", row.arguments());
                yield "prompts/get";
            }
        };
        String body = McpJsonDefaults.getMapper().writeValueAsString(Map.of("jsonrpc", "2.0", "id", 1, "method", method, "params", params));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(mcp)).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
        boolean pointsAtMetadata = challenge.startsWith("Bearer ") && challenge.contains("resource_metadata=\"" + mcp.replace("/mcp", "")
                + "/.well-known/oauth-protected-resource/mcp\"");
        return r.statusCode() == 401 && pointsAtMetadata ? IsolationMatrix.UNAUTHORIZED : r.statusCode() + " " + challenge;
    }

    static Map<String, Object> job(String team, String model, String gpuType, String run) {
        return Map.of("model", model, "run_name", run, "team", team, "epochs", 1, "batch_size", 64, "gpu_type", gpuType, "gpu_count", 1);
    }

    McpSyncClient connect(String token) {
        McpSyncClient c = SandboxServers.connect(McpClient.sync(HttpClientStreamableHttpTransport.builder(mcp.replace("/mcp", ""))
                .endpoint("/mcp").httpRequestCustomizer((builder, method, uri, body, context) ->
                        builder.header("Authorization", "Bearer " + token)).build()));
        clients.add(c);
        return c;
    }

    /**
     * The identity provider (discovery and JWKS of one RSA key), a token file (team-a's member and
     * team-b's viewer) and the packaged server; returns each caller's token (none for NO_TOKEN).
     */
    Map<Caller, String> start() throws Exception {
        idp.start();
        issuer = "http://127.0.0.1:" + idp.port() + "/realms/main";
        key = new RSAKeyGenerator(2048).keyID("iso-1").generate();
        idp.stubFor(get(urlEqualTo("/realms/main/.well-known/openid-configuration")).willReturn(okJson(
                "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/protocol/openid-connect/certs\"}")));
        idp.stubFor(get(urlEqualTo("/realms/main/protocol/openid-connect/certs"))
                .willReturn(okJson(new JWKSet(List.of(key)).toPublicJWKSet().toString())));
        int port = SandboxServers.freePort();
        audience = "http://127.0.0.1:" + port + "/mcp";
        mcp = audience;
        Path tokenFile = dir.resolve("tokens");
        Files.writeString(tokenFile, ALICE + " subject=alice role=member teams=team-a\n" + VERA + " subject=vera role=viewer teams=team-b\n");
        Path data = Files.createDirectories(dir.resolve("data"));
        server = SandboxServers.http(data, port, "1", "--auth-token-file", tokenFile.toString(), "--oidc-issuer", issuer,
                "--oidc-audience", audience);

        Instant now = Instant.now();
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("iso-unknown").generate();
        Map<Caller, String> tokens = new EnumMap<>(Caller.class);
        tokens.put(Caller.TEAM_A, ALICE);
        tokens.put(Caller.VIEWER, VERA);
        tokens.put(Caller.TEAM_B, sign(claims(now, "bob", List.of("team-b"), "openid trainops:read trainops:write").build(), key));
        tokens.put(Caller.ADMIN, sign(claims(now, "carol", List.of("trainops-admins"), "openid trainops:read trainops:write").build(), key));
        tokens.put(Caller.EXPIRED, sign(claims(now, "bob", List.of("team-b"), "trainops:write")
                .expirationTime(Date.from(now.minusSeconds(120))).build(), key));
        tokens.put(Caller.WRONG_AUDIENCE, sign(claims(now, "bob", List.of("team-b"), "trainops:write").audience("http://127.0.0.1:1/mcp").build(), key));
        tokens.put(Caller.WRONG_ISSUER, sign(claims(now, "bob", List.of("team-b"), "trainops:write").issuer("https://evil.example.com").build(), key));
        tokens.put(Caller.UNKNOWN_KEY, sign(claims(now, "bob", List.of("team-b"), "trainops:write").build(), stranger));
        return tokens;
    }

    JWTClaimsSet.Builder claims(Instant now, String subject, List<String> groups, String scope) {
        return new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject(subject).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(3600))).claim("groups", groups).claim("scope", scope);
    }

    static String sign(JWTClaimsSet claims, RSAKey by) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(by.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(by));
        return jwt.serialize();
    }
}
