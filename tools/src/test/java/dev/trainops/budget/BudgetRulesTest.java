package dev.trainops.budget;

import static dev.trainops.testing.ClusterFixtures.gpuNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolException;
import dev.trainops.catalog.ToolOutcome;
import dev.trainops.cost.ClusterUsage;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.cost.UsageRecorder;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.store.Store;
import dev.trainops.testing.ClusterFixtures;
import dev.trainops.testing.CrudMockServer;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/money.md cost rule 6 and the budget status built on the ledger. */
class BudgetRulesTest {

    @TempDir
    Path dir;

    static final Budget TEAM_A = new Budget("team-a", Budget.Kind.TEAM, Money.of("1000", "USD"), Budget.Period.MONTHLY);

    @Test
    void costRule6_budgetsWarnAtExactly70AndBlockAtExactly100Percent() {
        Money limit = TEAM_A.limit();
        assertThat(BudgetState.of(Money.of("699.999999", "USD"), limit)).isEqualTo(BudgetState.OK);
        assertThat(BudgetState.of(Money.of("700", "USD"), limit)).isEqualTo(BudgetState.WARN);
        assertThat(BudgetState.of(Money.of("999.999999", "USD"), limit)).isEqualTo(BudgetState.WARN);
        assertThat(BudgetState.of(Money.of("1000", "USD"), limit)).isEqualTo(BudgetState.BLOCKED);
        // admission counts spent + committed + projected, and exactly 100% is still within
        assertThat(BudgetState.admits(Money.of("600", "USD"), Money.of("300", "USD"), Money.of("100", "USD"), limit)).isTrue();
        assertThat(BudgetState.admits(Money.of("600", "USD"), Money.of("300", "USD"), Money.of("100.000001", "USD"), limit)).isFalse();
    }

    @Test
    void costRule6_eachThresholdFiresOncePerPeriod() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-10T12:00:00Z"));
        BudgetAlarms alarms = new BudgetAlarms(Store.sqlite(dir), clock);
        Budget.Range november = TEAM_A.periodAt(clock.instant());

        assertThat(alarms.observe(TEAM_A, november, Money.of("650", "USD"))).isEmpty();
        assertThat(alarms.observe(TEAM_A, november, Money.of("700", "USD"))).containsExactly(BudgetState.WARN);
        assertThat(alarms.observe(TEAM_A, november, Money.of("710", "USD"))).isEmpty();
        assertThat(alarms.observe(TEAM_A, november, Money.of("1000", "USD"))).containsExactly(BudgetState.BLOCKED);
        assertThat(alarms.observe(TEAM_A, november, Money.of("1200", "USD"))).isEmpty();

        Budget.Range december = TEAM_A.periodAt(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(december.start()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(alarms.observe(TEAM_A, december, Money.of("800", "USD"))).containsExactly(BudgetState.WARN);
    }

    @Test
    void periodsAreHalfOpenUtcMonthsAndWeeks() {
        Budget weekly = new Budget("team-c", Budget.Kind.TEAM, Money.of("300", "USD"), Budget.Period.WEEKLY);
        Budget.Range week = weekly.periodAt(Instant.parse("2026-11-29T23:59:59Z")); // a Sunday
        assertThat(week.start()).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
        assertThat(week.end()).isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
        assertThat(TEAM_A.periodAt(Instant.parse("2026-11-30T23:59:59Z")).end()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    }

    @Test
    void statusCountsBilledUsageAndWhatRunningJobsWillStillCost() throws Exception {
        try (CrudMockServer mock = new CrudMockServer()) {
            statusFromALedgerAndARunningPod(mock.client());
        }
    }

    private void statusFromALedgerAndARunningPod(KubernetesClient client) throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-10T12:00:00Z"));
        client.resource(gpuNode("h100-a", "NVIDIA-H100-80GB-HBM3", 81559, 8)).create();
        Pod running = new PodBuilder(ClusterFixtures.runningPod("team-a", "llm-1", "h100-a", KubeNames.GPU_RESOURCE, 2,
                Instant.parse("2026-11-10T13:00:00Z")))
                .editMetadata().addToLabels(KubeNames.LABEL_EXPERIMENT, "llm").endMetadata()
                .editStatus().withStartTime("2026-11-10T11:00:00Z").endStatus().build();
        client.resource(running).create();
        ClusterIndex index = new ClusterIndex(clock).start(client);
        assertThat(index.awaitSynced(Duration.ofSeconds(10))).isTrue();

        PriceBook prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        Store store = Store.sqlite(dir);
        Ledger ledger = new Ledger(store, prices, clock);
        ClusterUsage usage = new ClusterUsage(index);
        new UsageRecorder(usage, ledger, clock).recordOnce();
        BudgetService budgets = new BudgetService(List.of(TEAM_A), ledger, prices, usage,
                (b, p) -> Money.zero(prices.currency()), store, clock);

        BudgetStatus s = budgets.status(new BudgetStatusRequest("team-a"));
        // 1 h of 2 H100 at $6.88 billed; 1 h more projected to the pod's expected end
        assertThat(s.spent()).isEqualByComparingTo("13.76");
        assertThat(s.projected()).isEqualByComparingTo("13.76");
        assertThat(s.forecast()).isEqualByComparingTo("27.52");
        assertThat(s.state()).isEqualTo(BudgetState.OK);
        assertThat(s.percentUsed()).isEqualByComparingTo("1.38");
        assertThat(s.periodStart()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));

        // a second pass a minute later adds only the new minute
        clock.advance(Duration.ofMinutes(1));
        new UsageRecorder(usage, ledger, clock).recordOnce();
        assertThat(budgets.status(new BudgetStatusRequest("team-a")).spent()).isEqualByComparingTo("13.989333");

        assertThatThrownBy(() -> budgets.status(new BudgetStatusRequest("team-z")))
                .isInstanceOf(ToolException.class).hasMessage("No budget for 'team-z'.");
        // through the catalog, as MCP and the agent call it: the package-private request and answer records bind and serialise
        ToolOutcome viaCatalog = new ToolCatalog(List.of(BudgetService.tool(() -> budgets))).invoke("get_budget_status", Map.of("scope", "team-a"));
        assertThat(viaCatalog).isInstanceOf(ToolOutcome.Success.class);
        assertThat(((ToolOutcome.Success) viaCatalog).structured()).containsEntry("scope", "team-a").containsKey("spent");
        index.close();
    }

    @Test
    void theShippedBudgetsLoad() throws Exception {
        List<Budget> budgets = BudgetsConfig.load(Path.of("../config/budgets.yaml"));
        assertThat(budgets).extracting(Budget::scope).contains("team-a", "team-b", "team-c", "llm");
    }

    static final dev.trainops.access.Principal ALICE = new dev.trainops.access.Principal("alice", java.util.Set.of("team-a"),
            dev.trainops.access.Role.MEMBER);

    @Test
    void rule1_anotherTeamsBudgetIsTheSameNotFoundAsAnUnknownScope() throws Exception {
        try (CrudMockServer mock = new CrudMockServer()) {
            MutableClock clock = new MutableClock(Instant.parse("2026-11-10T12:00:00Z"));
            ClusterIndex index = new ClusterIndex(clock).start(mock.client());
            assertThat(index.awaitSynced(Duration.ofSeconds(10))).isTrue();
            PriceBook prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
            Store store = Store.sqlite(dir);
            Budget teamB = new Budget("team-b", Budget.Kind.TEAM, Money.of("800", "USD"), Budget.Period.MONTHLY);
            Budget llm = new Budget("llm", Budget.Kind.EXPERIMENT, Money.of("1500", "USD"), Budget.Period.MONTHLY);
            Budget mnist = new Budget("mnist", Budget.Kind.EXPERIMENT, Money.of("100", "USD"), Budget.Period.MONTHLY);
            BudgetService budgets = new BudgetService(List.of(TEAM_A, teamB, llm, mnist), new Ledger(store, prices, clock), prices,
                    new ClusterUsage(index), (b, p) -> Money.zero(prices.currency()), store, clock);
            dev.trainops.access.ExperimentTeams owners = new dev.trainops.access.ExperimentTeams(Map.of("llm", "team-a", "mnist", "team-b"));
            ToolCatalog catalog = new ToolCatalog(List.of(BudgetService.tool(() -> budgets, owners)), List.of(
                    new dev.trainops.catalog.CatalogResource("trainops://budgets/{team}", "Team budget", "A team's budget.",
                            "get_budget_status", vars -> Map.of("scope", vars.get("team")), null)));
            dev.trainops.catalog.CallContext alice = dev.trainops.catalog.CallContext.of(ALICE);

            assertThat(catalog.invoke("get_budget_status", Map.of("scope", "team-a"), alice)).isInstanceOf(ToolOutcome.Success.class);
            assertThat(catalog.invoke("get_budget_status", Map.of("scope", "llm"), alice)).isInstanceOf(ToolOutcome.Success.class);
            ToolOutcome.Failure unknown = (ToolOutcome.Failure) catalog.invoke("get_budget_status", Map.of("scope", "team-x"), alice);
            ToolOutcome.Failure otherTeam = (ToolOutcome.Failure) catalog.invoke("get_budget_status", Map.of("scope", "team-b"), alice);
            ToolOutcome.Failure otherExperiment = (ToolOutcome.Failure) catalog.invoke("get_budget_status", Map.of("scope", "mnist"), alice);
            assertThat(unknown.error().code()).isEqualTo(dev.trainops.catalog.ErrorCode.NOT_FOUND);
            assertThat(otherTeam.text()).isEqualTo(unknown.text().replace("team-x", "team-b"));
            assertThat(otherExperiment.text()).isEqualTo(unknown.text().replace("team-x", "mnist"));
            assertThat(unknown.text()).contains("team-a, llm").doesNotContain("team-b", "mnist");
            ToolOutcome.Failure resource = (ToolOutcome.Failure) catalog.readResource("trainops://budgets/team-b", alice);
            assertThat(resource.text()).isEqualTo(otherTeam.text());
            // rule 4: an admin sees every team's and experiment's budget
            assertThat(catalog.invoke("get_budget_status", Map.of("scope", "team-b"), dev.trainops.catalog.CallContext.NONE))
                    .isInstanceOf(ToolOutcome.Success.class);
            assertThat(catalog.readResource("trainops://budgets/mnist", dev.trainops.catalog.CallContext.NONE))
                    .isInstanceOf(ToolOutcome.Success.class);
        }
    }
}
