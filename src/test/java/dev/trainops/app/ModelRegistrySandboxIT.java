package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 on the sandbox through the official MCP Java SDK client over HTTP, as three principals
 * (alice of team-a, bob of team-b, an admin): a finished llm run is registered in the sandbox's
 * embedded registry, a member's skip to staging is FORBIDDEN and audited, it is promoted dev ->
 * staging -> production, its lineage names the job and bills exactly what the ledger billed (the
 * cost report's lines for the job's pods), team-b's member finds none of it (rule 1), and the
 * registry is still there after a restart on the same data directory.
 */
class ModelRegistrySandboxIT {
    static final String ALICE = "alice-token-0123456789abcdef";
    static final String BOB = "bob-token-0123456789abcdefgh";
    static final String ADMIN = "admin-token-0123456789abcdef";

    final List<McpSyncClient> clients = new ArrayList<>();

    McpSyncClient connect(int port, String token) {
        McpSyncClient c = SandboxServers.connect(McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
                .endpoint("/mcp").httpRequestCustomizer((builder, method, uri, body, context) -> builder.header("Authorization", "Bearer " + token))
                .build()));
        clients.add(c);
        return c;
    }

    void closeClients() {
        clients.forEach(McpSyncClient::closeGracefully);
        clients.clear();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> job(McpSyncClient client, String id) {
        return ((List<Map<String, Object>>) SandboxServers.call(client, "get_job_queue_status", Map.of("job_id", id)).get("jobs")).get(0);
    }

    /** The cost report's job lines for the pods of {@code jobId} (ledger ids team/<job id>-<attempt>-<suffix>): cost and seconds. */
    @SuppressWarnings("unchecked")
    static BigDecimal[] billed(McpSyncClient client, String team, String jobId) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Map<String, Object> report = SandboxServers.call(client, "generate_cost_report", Map.of("start_date", today.minusDays(1).toString(),
                "end_date", today.plusDays(30).toString(), "group_by", "job", "team", team));
        BigDecimal cost = BigDecimal.ZERO;
        BigDecimal seconds = BigDecimal.ZERO;
        for (Map<String, Object> line : (List<Map<String, Object>>) report.get("lines")) {
            if (((String) line.get("key")).startsWith(team + "/" + jobId + "-")) {
                cost = cost.add(new BigDecimal((String) line.get("cost")));
                seconds = seconds.add(new BigDecimal(String.valueOf(line.get("seconds"))));
            }
        }
        return new BigDecimal[] {cost, seconds};
    }

    static Map<String, Object> promote(String version, String stage) {
        return Map.of("name", "reg-llm-model", "version", version, "stage", stage, "reason", "the holdout set says so");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFinishedLlmRunIsRegisteredPromotedStageByStageAndTracedToTheLedger(@TempDir Path dataDir) throws Exception {
        Path tokens = dataDir.resolve("tokens");
        Files.writeString(tokens, ALICE + " subject=alice role=member teams=team-a\n" + BOB + " subject=bob role=member teams=team-b\n"
                + ADMIN + " subject=root role=admin\n");
        int port = SandboxServers.freePort();
        Process server = SandboxServers.http(dataDir, port, "600", "--auth-token-file", tokens.toString());
        String jobId;
        try {
            McpSyncClient alice = connect(port, ALICE);
            McpSyncClient bob = connect(port, BOB);
            McpSyncClient admin = connect(port, ADMIN);
            EstimatesEqualTheBillIT.awaitRunHistory(admin); // it forecasts team-c's validation
            assertThat(alice.listTools().tools()).extracting(McpSchema.Tool::name)
                    .contains("register_model", "promote_model", "get_model_lineage", "list_models");

            jobId = (String) SandboxServers.call(alice, "queue_training_job", Map.of("model", "llm", "run_name", "reg-llm", "team", "team-a",
                    "epochs", 2, "batch_size", 64, "gpu_type", "H100")).get("job_id");
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (!"SUCCEEDED".equals(job(alice, jobId).get("state"))) {
                assertThat(System.nanoTime()).as("job " + jobId + " never succeeded: " + job(alice, jobId)).isLessThan(deadline);
                Thread.sleep(500);
            }
            // the usage recorder bills every 15 s: wait until the job's bill stops changing
            BigDecimal[] settling = billed(alice, "team-a", jobId);
            while (true) {
                Thread.sleep(16_000);
                BigDecimal[] again = billed(alice, "team-a", jobId);
                if (again[0].compareTo(settling[0]) == 0 && again[0].signum() > 0) {
                    break;
                }
                assertThat(System.nanoTime()).as("the bill of " + jobId + " never settled").isLessThan(deadline + Duration.ofSeconds(90).toNanos());
                settling = again;
            }
            BigDecimal[] bill = settling;

            Map<String, Object> v = SandboxServers.call(alice, "register_model", Map.of("run_id", "reg-llm", "name", "reg-llm-model"));
            assertThat(v).containsEntry("version", "1").containsEntry("created", true);
            assertThat((String) v.get("source")).startsWith("runs:/").endsWith("/model");
            assertThat((Map<String, Object>) v.get("tags")).containsEntry("trainops.job", jobId).containsEntry("trainops.gpu_type", "H100")
                    .containsEntry("trainops.team", "team-a").containsEntry("trainops.cost", bill[0].setScale(6).toPlainString());
            assertThat(SandboxServers.call(alice, "register_model", Map.of("run_id", "reg-llm", "name", "reg-llm-model")))
                    .containsEntry("version", "1").containsEntry("created", false);

            // a member may not skip a stage: FORBIDDEN, and audited
            McpSchema.CallToolResult skip = alice.callTool(new McpSchema.CallToolRequest("promote_model", promote("1", "staging")));
            Map<String, Object> error = SandboxServers.error(skip);
            assertThat(error.get("code")).isEqualTo("FORBIDDEN");
            assertThat((String) error.get("hint")).contains("next: dev");

            assertThat(SandboxServers.call(alice, "promote_model", promote("1", "dev")).get("previous_holder")).isNull();
            assertThat(SandboxServers.call(alice, "promote_model", promote("1", "staging"))).containsEntry("previous_stage", "dev");
            Map<String, Object> prod = SandboxServers.call(alice, "promote_model", promote("1", "production"));
            assertThat((Map<String, Object>) prod.get("aliases")).isEqualTo(Map.of("production", "1"));

            Map<String, Object> lineage = SandboxServers.call(alice, "get_model_lineage", Map.of("name", "reg-llm-model", "alias", "production"));
            assertThat(lineage).containsEntry("version", "1").containsEntry("team", "team-a").containsEntry("registry", "sandbox")
                    .containsEntry("aliases", List.of("production"));
            assertThat((List<Map<String, Object>>) lineage.get("jobs")).singleElement().satisfies(j -> {
                assertThat(j).containsEntry("job_id", jobId).containsEntry("state", "SUCCEEDED");
                assertThat(new BigDecimal((String) j.get("cost"))).isEqualByComparingTo(bill[0]);
            });
            // the ledger's numbers: the cost report's lines for the job, one H100 so GPU-seconds are its seconds
            assertThat(new BigDecimal((String) lineage.get("cost"))).isEqualByComparingTo(bill[0]);
            assertThat(new BigDecimal((String) lineage.get("gpu_hours")))
                    .isEqualByComparingTo(bill[1].divide(BigDecimal.valueOf(3600), 6, RoundingMode.HALF_EVEN));
            assertThat(((Map<String, Object>) lineage.get("run")).get("run_name")).isEqualTo("reg-llm");
            assertThat((List<Map<String, Object>>) lineage.get("promotions")).extracting(p -> p.get("stage") + " by " + p.get("by"))
                    .containsExactly("dev by alice", "staging by alice", "production by alice");

            List<Map<String, Object>> audit = (List<Map<String, Object>>) SandboxServers.call(admin, "get_audit_log",
                    Map.of("principal", "alice", "tool", "promote_model")).get("entries");
            assertThat(audit).extracting(e -> e.get("outcome")).containsExactlyInAnyOrder("OK", "OK", "OK", "FORBIDDEN");
            assertThat(audit).allSatisfy(e -> {
                assertThat(e.get("team")).isEqualTo("team-a");
                assertThat((String) e.get("arguments")).contains("the holdout set says so");
            });

            // rule 1: to team-b's member, team-a's model is one that does not exist, for every registry tool
            for (String tool : List.of("get_model_lineage", "promote_model")) {
                Map<String, Object> theirs = tool.equals("promote_model") ? promote("1", "dev") : Map.of("name", "reg-llm-model");
                Map<String, Object> none = new java.util.HashMap<>(theirs);
                none.put("name", "no-such-model");
                Map<String, Object> refused = SandboxServers.error(bob.callTool(new McpSchema.CallToolRequest(tool, theirs)));
                Map<String, Object> nothing = SandboxServers.error(bob.callTool(new McpSchema.CallToolRequest(tool, none)));
                assertThat(refused.get("code")).as(tool).isEqualTo("NOT_FOUND");
                assertThat(refused.get("message")).isEqualTo(((String) nothing.get("message")).replace("no-such-model", "reg-llm-model"));
            }
            assertThat(SandboxServers.error(bob.callTool(new McpSchema.CallToolRequest("register_model", Map.of("run_id", "reg-llm",
                    "name", "bobs-model")))).get("code")).isEqualTo("NOT_FOUND");
            assertThat((List<Map<String, Object>>) SandboxServers.call(bob, "list_models", Map.of()).get("models")).isEmpty();
            assertThat(SandboxServers.error(bob.callTool(new McpSchema.CallToolRequest("list_models", Map.of("team", "team-a")))).get("code"))
                    .isEqualTo("NOT_FOUND");
            assertThat((List<Map<String, Object>>) SandboxServers.call(admin, "list_models", Map.of()).get("models"))
                    .extracting(m -> m.get("name") + " " + m.get("team") + " " + m.get("aliases") + " v" + m.get("latest_version"))
                    .containsExactly("reg-llm-model team-a {production=1} v1");
        } finally {
            closeClients();
            server.destroy();
            server.waitFor(20, TimeUnit.SECONDS);
        }

        // the embedded registry lives beside the run store in the data directory: a restart finds it as it was
        Process again = SandboxServers.http(dataDir, port, "600", "--auth-token-file", tokens.toString());
        try {
            McpSyncClient alice = connect(port, ALICE);
            Map<String, Object> lineage = SandboxServers.call(alice, "get_model_lineage", Map.of("name", "reg-llm-model", "alias", "production"));
            assertThat(lineage).containsEntry("version", "1");
            assertThat((List<Map<String, Object>>) lineage.get("jobs")).extracting(j -> j.get("job_id")).containsExactly(jobId);
        } finally {
            closeClients();
            again.destroy();
            again.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
