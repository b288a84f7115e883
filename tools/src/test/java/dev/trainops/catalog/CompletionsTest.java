package dev.trainops.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.Completions.Answer;
import dev.trainops.catalog.Completions.Kind;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The values offered for prompt arguments and resource-template variables: one kind per argument name, filtered by what was typed. */
class CompletionsTest {
    final List<String> jobIds = IntStream.rangeClosed(1, 150).mapToObj(i -> String.format("tj-%04d", i)).toList();

    final Completions completions = Completions.builder()
            .add(Kind.TEAM, () -> List.of("team-a", "team-b", "research"))
            .add(Kind.MODEL, () -> List.of("llm", "mnist", "llm", "LLaMA-7b"))
            .add(Kind.RUN, () -> List.of("llm-run-2", "llm-run-1", "tj-0007"))
            .add(Kind.JOB_ID, () -> jobIds)
            .add(Kind.MONTH, () -> Completions.months(Optional.of(YearMonth.of(2026, 9)), YearMonth.of(2026, 12)))
            .build();

    @Test
    void teamsStartingWithWhatWasTyped() {
        assertThat(completions.complete("team", "team-")).isEqualTo(new Answer(List.of("team-a", "team-b"), 2, false));
        assertThat(completions.complete("team", "")).isEqualTo(new Answer(List.of("team-a", "team-b", "research"), 3, false));
        assertThat(completions.complete("team", null).total()).isEqualTo(3);
    }

    @Test
    void modelsIgnoringCaseOnceEachInTheSourcesOrder() {
        assertThat(completions.complete("model", "LL")).isEqualTo(new Answer(List.of("llm", "LLaMA-7b"), 2, false));
    }

    @Test
    void runIdsOfferRunNamesThenJobIds() {
        assertThat(completions.complete("run_id", "llm-")).isEqualTo(new Answer(List.of("llm-run-2", "llm-run-1"), 2, false));
        assertThat(completions.complete("run_id", "tj")).isEqualTo(new Answer(List.of("tj-0007"), 1, false));
    }

    @Test
    void jobIdsAtMostOneHundredWithTheTotalAndHasMore() {
        Answer all = completions.complete("job_id", "tj-");
        assertThat(all.values()).hasSize(Completions.MAX_VALUES).startsWith("tj-0001").endsWith("tj-0100");
        assertThat(all.total()).isEqualTo(150);
        assertThat(all.hasMore()).isTrue();
        // tj-0100 to tj-0150: 51 values, all of them
        assertThat(completions.complete("job_id", "tj-01")).isEqualTo(new Answer(jobIds.subList(99, 150), 51, false));
    }

    @Test
    void monthsFromTheFirstBookedToNowNewestFirst() {
        assertThat(completions.complete("month", "2026-1")).isEqualTo(new Answer(List.of("2026-12", "2026-11", "2026-10"), 3, false));
        assertThat(Completions.months(Optional.of(YearMonth.of(2025, 11)), YearMonth.of(2026, 2)))
                .containsExactly("2026-02", "2026-01", "2025-12", "2025-11");
    }

    @Test
    void withNothingBookedMonthsAreTheClocksMonth() {
        assertThat(Completions.months(Optional.empty(), YearMonth.of(2026, 12))).containsExactly("2026-12");
        // a first month after now (a clock set back) is not a range
        assertThat(Completions.months(Optional.of(YearMonth.of(2027, 3)), YearMonth.of(2026, 12))).containsExactly("2026-12");
    }

    @Test
    void anArgumentNothingCompletesHasNoValues() {
        assertThat(completions.complete("epochs", "1")).isEqualTo(Answer.NONE);
        assertThat(completions.completes("epochs")).isFalse();
        assertThat(completions.completes("team")).isTrue();
        assertThat(Completions.none().complete("team", "")).isEqualTo(Answer.NONE);
    }

    @Test
    void aSourceThatCannotAnswerCompletesNothingAndNeverThrows() {
        Completions failing = Completions.builder().add(Kind.JOB_ID, () -> {
            throw new ToolException(ErrorCode.UPSTREAM_UNAVAILABLE, "the queue is still starting.", "Retry in a few seconds.");
        }).build();
        assertThat(failing.complete("job_id", "tj")).isEqualTo(Answer.NONE);
    }

    @Test
    void aSourceIsReadAtEachRequest() {
        List<String> teams = new ArrayList<>(List.of("team-a"));
        Completions live = Completions.builder().add(Kind.TEAM, () -> List.copyOf(teams)).build();
        assertThat(live.complete("team", "").values()).containsExactly("team-a");
        teams.add("team-z");
        assertThat(live.complete("team", "").values()).containsExactly("team-a", "team-z");
    }

    @Test
    void oneSourcePerKindAndAnAnswerNeverOverTheLimit() {
        assertThatThrownBy(() -> Completions.builder().add(Kind.TEAM, List::of).add(Kind.TEAM, List::of))
                .hasMessage("completion kind TEAM has a source already");
        assertThatThrownBy(() -> new Answer(jobIds, 150, true)).hasMessage("an answer carries at most 100 values, got 150");
    }
}
