package dev.trainops.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.audit.AuditTrail;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.Completions;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolError;
import dev.trainops.catalog.ToolHints;
import dev.trainops.catalog.ToolOutcome;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Rule 8: each principal's call budget, a token bucket per principal, on a ticker the test moves. */
class RateLimiterTest {
    record Ask(String team) {
    }

    record Seen(String by) {
    }

    static final Principal ALICE = new Principal("alice", Set.of("team-a"), Role.MEMBER);
    static final Principal BOB = new Principal("bob", Set.of("team-b"), Role.MEMBER);

    final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    ToolCatalog catalog(RateLimiter limiter) {
        Tool<Ask, Seen> read = new Tool<>("read_thing", "Read", "Reads a thing.", Ask.class, Seen.class, ToolHints.READ_ONLY,
                (r, call) -> new Seen(call.principal().subject()), s -> "read", Set.of());
        return new ToolCatalog(List.of(read), List.of(), ToolCatalog.CallObserver.NONE, Completions.none(),
                new ToolCatalog.Guards(limiter, AuditTrail.NONE, Clock.systemUTC()));
    }

    ToolOutcome call(ToolCatalog catalog, Principal p) {
        return catalog.invoke("read_thing", Map.of("team", "team-a"), CallContext.of(p));
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void rule8_aPrincipalOverItsRateIsRateLimitedWhileAnotherSucceeds() {
        ToolCatalog catalog = catalog(RateLimiter.perMinute(6, nanos::get));

        for (int i = 0; i < 6; i++) {
            assertThat(call(catalog, ALICE)).as("call %d of a burst of 6", i + 1).isInstanceOf(ToolOutcome.Success.class);
        }
        ToolOutcome limited = call(catalog, ALICE);
        ToolOutcome bob = call(catalog, BOB);

        ToolError error = ((ToolOutcome.Failure) limited).error();
        assertThat(error.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(error.retryable()).isTrue();
        // 6 a minute: one call back every 10 s
        assertThat(error.details()).containsEntry("retry_after_seconds", 10L);
        assertThat(error.hint()).isEqualTo("Retry after 10 s.");
        assertThat(((ToolOutcome.Success) bob).structured()).containsEntry("by", "bob");

        // refilled continuously: 3.5 s later the wait is the rest, rounded up
        advance(Duration.ofMillis(3_500));
        assertThat(((ToolOutcome.Failure) call(catalog, ALICE)).error().details()).containsEntry("retry_after_seconds", 7L);
        advance(Duration.ofMillis(6_500));
        assertThat(call(catalog, ALICE)).as("one call back after 10 s").isInstanceOf(ToolOutcome.Success.class);
        assertThat(call(catalog, ALICE)).as("and only one").isInstanceOf(ToolOutcome.Failure.class);

        // a minute idle fills the bucket again, and no more than full
        advance(Duration.ofMinutes(5));
        for (int i = 0; i < 6; i++) {
            assertThat(call(catalog, ALICE)).isInstanceOf(ToolOutcome.Success.class);
        }
        assertThat(call(catalog, ALICE)).isInstanceOf(ToolOutcome.Failure.class);
    }

    @Test
    void theWaitIsTheTimeUntilTheNextTokenRoundedUpToWholeSeconds() {
        RateLimiter limiter = RateLimiter.perMinute(120, nanos::get);
        for (int i = 0; i < 120; i++) {
            assertThat(limiter.admit(ALICE)).isZero();
        }
        assertThat(limiter.admit(ALICE)).as("one token every 0.5 s, rounded up").isEqualTo(1);
        advance(Duration.ofMillis(499));
        assertThat(limiter.admit(ALICE)).isEqualTo(1);
        advance(Duration.ofMillis(1));
        assertThat(limiter.admit(ALICE)).isZero();
        assertThat(limiter.admit(BOB)).isZero();
    }

    @Test
    void theBucketsAreBoundedAndAnIdleOneGoes() {
        TokenBuckets buckets = new TokenBuckets(60, nanos::get);
        for (int i = 0; i < 20_000; i++) {
            buckets.admit(new Principal("caller-" + i, Set.of(), Role.VIEWER));
        }
        assertThat(buckets.size()).isLessThanOrEqualTo(TokenBuckets.MAX_PRINCIPALS);
        advance(Duration.ofMinutes(2));
        buckets.admit(ALICE);
        assertThat(buckets.size()).isEqualTo(1);
    }

    @Test
    void zeroIsNoLimitAndANegativeRateIsRefusedNamingTheOption() {
        assertThat(RateLimiter.perMinute(0)).isSameAs(RateLimiter.NONE);
        assertThatThrownBy(() -> RateLimiter.perMinute(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--rate-limit must be 0 (no limit) or more calls a minute, was -1");
    }
}
