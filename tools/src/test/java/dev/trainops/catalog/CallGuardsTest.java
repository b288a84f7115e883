package dev.trainops.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.access.Principal;
import dev.trainops.access.RateLimiter;
import dev.trainops.access.Role;
import dev.trainops.audit.AuditEntry;
import dev.trainops.audit.AuditTrail;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The catalog's guards: the role gate (rule 3), the rate limit (rule 8) and the audit of every write call (rule 7). */
class CallGuardsTest {
    record Ask(String team) {
    }

    record Done(String team, String by) {
    }

    static final Principal VIEWER = new Principal("vera", Set.of("team-a"), Role.VIEWER);
    static final Principal MEMBER = new Principal("alice", Set.of("team-a"), Role.MEMBER);

    final List<AuditEntry> inTransaction = new ArrayList<>();
    final List<AuditEntry> ownTransaction = new ArrayList<>();
    final AuditTrail trail = new AuditTrail() {
        @Override
        public void append(Connection c, AuditEntry entry) {
            inTransaction.add(entry);
        }

        @Override
        public void append(AuditEntry entry) {
            ownTransaction.add(entry);
        }
    };
    final Clock clock = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);

    /** A write tool that records its change "in its transaction", and a read tool. */
    ToolCatalog catalog(RateLimiter limiter, boolean writerAudits) {
        Tool<Ask, Done> write = new Tool<>("change_thing", "Change", "Changes a thing.", Ask.class, Done.class,
                new ToolHints(false, false, false, false), (r, call) -> {
                    if (writerAudits) {
                        try {
                            call.audit().inTransaction(null, r.team());
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    return new Done(r.team(), call.principal().subject());
                }, d -> "done", Set.of());
        Tool<Ask, Done> read = new Tool<>("read_thing", "Read", "Reads a thing.", Ask.class, Done.class, ToolHints.READ_ONLY,
                (r, call) -> new Done(r.team(), call.principal().subject()), d -> "read", Set.of());
        return new ToolCatalog(List.of(write, read), List.of(), ToolCatalog.CallObserver.NONE, Completions.none(),
                new ToolCatalog.Guards(limiter, trail, clock));
    }

    @Test
    void aViewersWriteCallIsForbiddenNamingTheScopeAndIsAudited() {
        ToolOutcome outcome = catalog(RateLimiter.NONE, true).invoke("change_thing", Map.of("team", "team-a"), CallContext.of(VIEWER));

        ToolError error = ((ToolOutcome.Failure) outcome).error();
        assertThat(error.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(error.message()).contains("trainops:write");
        assertThat(ownTransaction).singleElement().satisfies(e -> {
            assertThat(e.subject()).isEqualTo("vera");
            assertThat(e.role()).isEqualTo("viewer");
            assertThat(e.tool()).isEqualTo("change_thing");
            assertThat(e.team()).isEqualTo("team-a");
            assertThat(e.outcome()).isEqualTo("FORBIDDEN");
            assertThat(e.at()).isEqualTo(clock.instant());
        });
        assertThat(inTransaction).isEmpty();
    }

    @Test
    void aViewerMayCallReadToolsAndReadsAreNotAudited() {
        ToolOutcome outcome = catalog(RateLimiter.NONE, true).invoke("read_thing", Map.of("team", "team-a"), CallContext.of(VIEWER));

        assertThat(((ToolOutcome.Success) outcome).structured()).containsEntry("by", "vera");
        assertThat(inTransaction).isEmpty();
        assertThat(ownTransaction).isEmpty();
    }

    @Test
    void rule7_aReadRefusedAsNotFoundOrForbiddenIsAuditedAndARateLimitedReadIsNot() {
        Tool<Ask, Done> hidden = new Tool<>("read_hidden", "Read", "Reads another team's thing.", Ask.class, Done.class, ToolHints.READ_ONLY,
                (r, call) -> {
                    throw new ToolException(ErrorCode.NOT_FOUND, "No thing '" + r.team() + "'.", "List things.");
                }, d -> "read", Set.of());
        ToolCatalog catalog = new ToolCatalog(List.of(hidden), List.of(), ToolCatalog.CallObserver.NONE, Completions.none(),
                new ToolCatalog.Guards(p -> p.subject().equals("vera") ? 3 : 0, trail, clock));

        catalog.invoke("read_hidden", Map.of("team", "team-b"), CallContext.of(MEMBER));
        catalog.invoke("read_hidden", Map.of("team", "team-b"), CallContext.of(VIEWER));

        assertThat(ownTransaction).singleElement().satisfies(e -> {
            assertThat(e.subject()).isEqualTo("alice");
            assertThat(e.tool()).isEqualTo("read_hidden");
            assertThat(e.team()).isEqualTo("team-b");
            assertThat(e.outcome()).isEqualTo("NOT_FOUND");
            assertThat(e.message()).isEqualTo("No thing 'team-b'.");
        });
    }

    @Test
    void aChangeRecordedInItsTransactionIsNotRecordedTwice() {
        catalog(RateLimiter.NONE, true).invoke("change_thing", Map.of("team", "team-a"), CallContext.of(MEMBER));

        assertThat(inTransaction).singleElement().satisfies(e -> assertThat(e.outcome()).isEqualTo("OK"));
        assertThat(ownTransaction).isEmpty();
    }

    @Test
    void aChangeTheDomainDidNotRecordIsRecordedByTheCatalog() {
        catalog(RateLimiter.NONE, false).invoke("change_thing", Map.of("team", "team-a"), CallContext.of(MEMBER));

        assertThat(ownTransaction).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo("OK");
            assertThat(e.arguments()).isEqualTo("{\"team\":\"team-a\"}");
        });
    }

    @Test
    void aCallOverTheRateIsRateLimitedWithRetryAfterAndAuditedWhenItWrites() {
        RateLimiter limiter = p -> p.subject().equals("alice") ? 7 : 0;

        ToolOutcome limited = catalog(limiter, true).invoke("change_thing", Map.of("team", "team-a"), CallContext.of(MEMBER));
        ToolOutcome other = catalog(limiter, true).invoke("read_thing", Map.of("team", "team-a"), CallContext.of(VIEWER));

        ToolError error = ((ToolOutcome.Failure) limited).error();
        assertThat(error.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(error.retryable()).isTrue();
        assertThat(error.details()).containsEntry("retry_after_seconds", 7L);
        assertThat(ownTransaction).singleElement().satisfies(e -> assertThat(e.outcome()).isEqualTo("RATE_LIMITED"));
        assertThat(other).isInstanceOf(ToolOutcome.Success.class);
    }

    @Test
    void invalidArgumentsToAWriteToolAreAuditedAsRefused() {
        catalog(RateLimiter.NONE, true).invoke("change_thing", Map.of("team", 5, "extra", true), CallContext.of(MEMBER));

        assertThat(ownTransaction).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo("INVALID_ARGUMENT");
            assertThat(e.team()).isNull();
        });
    }
}
