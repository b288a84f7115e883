package dev.trainops.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolError;
import dev.trainops.catalog.ToolOutcome;
import dev.trainops.store.Store;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** get_audit_log: admins read the audit log (rule 7), newest first and filtered; nobody else does. */
class AuditLogToolTest {
    static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    @TempDir
    Path dir;

    ToolCatalog catalog(Store store) {
        AuditLog log = new AuditLog(store);
        log.append(new AuditEntry(T0, "alice", "member", Set.of("team-a"), "queue_training_job", "team-a", "{\"team\":\"team-a\"}", "OK", ""));
        log.append(new AuditEntry(T0.plusSeconds(60), "bob", "member", Set.of("team-b", "team-c"), "cancel_training_job", "team-a",
                "{\"job_id\":\"q-1\"}", "NOT_FOUND", "No job q-1."));
        log.append(new AuditEntry(T0.plusSeconds(86_400), "vera", "viewer", Set.of("team-a"), "cancel_training_job", "team-a", "{}",
                "FORBIDDEN", "cancel_training_job changes something"));
        return new ToolCatalog(List.of(AuditLog.tool(() -> log)));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> entries(ToolOutcome outcome) {
        assertThat(outcome).as(outcome.toString()).isInstanceOf(ToolOutcome.Success.class);
        return (List<Map<String, Object>>) ((ToolOutcome.Success) outcome).structured().get("entries");
    }

    @Test
    void anAdminReadsEveryEntryNewestFirstWithThePrincipalAndTheOutcome() throws Exception {
        try (Store store = Store.sqlite(dir)) {
            List<Map<String, Object>> all = entries(catalog(store).invoke("get_audit_log", Map.of(), CallContext.of(Principal.admin("root"))));

            assertThat(all).extracting(e -> (Object) ((Map<?, ?>) e.get("principal")).get("subject")).containsExactly("vera", "bob", "alice");
            assertThat(all.get(1)).containsEntry("time", "2026-12-02T10:01:00Z").containsEntry("tool", "cancel_training_job")
                    .containsEntry("team", "team-a").containsEntry("arguments", "{\"job_id\":\"q-1\"}")
                    .containsEntry("outcome", "NOT_FOUND").containsEntry("message", "No job q-1.")
                    .containsEntry("principal", Map.of("subject", "bob", "role", "member", "teams", List.of("team-b", "team-c")));
        }
    }

    @Test
    void theFiltersAndTheLimitNarrowTheAnswer() throws Exception {
        try (Store store = Store.sqlite(dir)) {
            ToolCatalog catalog = catalog(store);
            CallContext admin = CallContext.of(Principal.admin("root"));

            assertThat(entries(catalog.invoke("get_audit_log", Map.of("since", "2026-12-03"), admin))).hasSize(1);
            assertThat(entries(catalog.invoke("get_audit_log", Map.of("since", "2026-12-02T10:00:30Z"), admin))).hasSize(2);
            assertThat(entries(catalog.invoke("get_audit_log", Map.of("principal", "alice"), admin))).hasSize(1);
            assertThat(entries(catalog.invoke("get_audit_log", Map.of("tool", "cancel_training_job", "team", "team-a"), admin))).hasSize(2);
            assertThat(entries(catalog.invoke("get_audit_log", Map.of("limit", 1), admin)))
                    .singleElement().satisfies(e -> assertThat(e).containsEntry("outcome", "FORBIDDEN"));
        }
    }

    @Test
    void aMemberOrAViewerIsForbiddenAndBadFiltersNameTheArgument() throws Exception {
        try (Store store = Store.sqlite(dir)) {
            ToolCatalog catalog = catalog(store);
            for (Role role : List.of(Role.MEMBER, Role.VIEWER)) {
                ToolError error = ((ToolOutcome.Failure) catalog.invoke("get_audit_log", Map.of(),
                        CallContext.of(new Principal("alice", Set.of("team-a"), role)))).error();
                assertThat(error.code()).isEqualTo(ErrorCode.FORBIDDEN);
                assertThat(error.message()).isEqualTo("get_audit_log is for admins only, and alice is a " + role.wireName() + ".");
            }
            CallContext admin = CallContext.of(Principal.admin("root"));
            ToolError since = ((ToolOutcome.Failure) catalog.invoke("get_audit_log", Map.of("since", "yesterday"), admin)).error();
            assertThat(since.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(since.details()).containsEntry("argument", "since");
            assertThat(since.message()).contains("'yesterday'");
            // found by the bad-input run: these parse, and overflowed the log's epoch milliseconds (INTERNAL)
            for (String far : List.of("-999999999-01-01", "+999999999-12-31", "+999999999-12-31T00:00:00Z", "1969-12-31")) {
                ToolError outside = ((ToolOutcome.Failure) catalog.invoke("get_audit_log", Map.of("since", far), admin)).error();
                assertThat(outside.code()).as(far).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(outside.message()).as(far).startsWith("since must be between the years 1970 and 9999");
            }
            ToolError limit = ((ToolOutcome.Failure) catalog.invoke("get_audit_log", Map.of("limit", 1001), admin)).error();
            assertThat(limit.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(limit.details()).containsEntry("argument", "limit");
        }
    }

    @Test
    void itIsAReadOnlyTool() {
        assertThat(AuditLog.tool(() -> null).hints().readOnly()).isTrue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void anEntryOfNoTeamFitsTheOutputSchema() {
        // a refused cancel of a job the caller cannot see has no team; a client that checks results against the schema must accept it
        Map<String, Object> line = dev.trainops.catalog.Schemas.output(AuditLogPage.Line.class);
        assertThat((List<String>) line.get("required")).doesNotContain("team");
        assertThat(((Map<String, Map<String, Object>>) line.get("properties")).get("team").get("type")).isEqualTo(List.of("string", "null"));
    }
}
