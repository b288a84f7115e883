package dev.trainops.kueue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.budget.Budget;
import dev.trainops.budget.BudgetState;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.cost.JobFootprint;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.queue.Estimator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 4 on fabric8's CRUD mock API server with Kueue's v0.19.2 CRDs and v1beta2 objects:
 * the AdmissionCheck {@code trainops.dev/budget} made Active; a Workload whose quota is reserved and
 * whose budget check is Pending set Ready, Retry with {@code requeueAfterSeconds}, or Rejected, with
 * the numbers; and nothing in {@code status.admissionChecks} but its own entry touched.
 */
@EnableKubernetesMockClient(https = false, crud = true)
class BudgetCheckTest {
    /** A Wednesday at noon UTC (config/pricing.yaml: peak until 22:00 UTC); team-a's monthly period ends 2026-07-01. */
    static final Instant NOW = Instant.parse("2026-06-10T12:00:00Z");
    static final Instant OFF_PEAK = Instant.parse("2026-06-10T22:00:00Z");
    static final Instant PERIOD_END = Instant.parse("2026-07-01T00:00:00Z");
    /** The fixture Workload: one pod of 8 H100, 8 cores and 64 GiB, for its activeDeadlineSeconds of an hour. */
    static final JobFootprint FIXTURE = new JobFootprint("H100", BigDecimal.valueOf(8), BigDecimal.valueOf(8), BigDecimal.valueOf(64));

    KubernetesMockServer server;
    KubernetesClient client;
    PriceBook prices;
    final Map<String, BudgetStatus> budgets = new HashMap<>();
    Money peak;
    Money offPeak;

    @BeforeEach
    void kueue() throws Exception {
        prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        peak = prices.cost(FIXTURE, NOW, 3600, false);
        offPeak = prices.cost(FIXTURE, OFF_PEAK, 3600, false);
        KueueFixtures.install(client);
        KueueFixtures.create(client, KueueObjects.ADMISSION_CHECKS, KueueFixtures.load("admissioncheck-budget.yaml"));
        KueueFixtures.create(client, KueueObjects.ADMISSION_CHECKS, KueueFixtures.load("admissioncheck-provisioning.yaml"));
        KueueFixtures.create(client, KueueObjects.RESOURCE_FLAVORS, KueueFixtures.load("resourceflavor-h100.yaml"));
    }

    BudgetCheck check() {
        return check((model, epochs, batch, type, gpus, spot, at) -> Optional.empty());
    }

    BudgetCheck check(Estimator history) {
        return new BudgetCheck(client, history, prices, team -> Optional.ofNullable(budgets.get(team)), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** Team {@code team}'s monthly budget status: {@code limit}, of which {@code spent} is billed and {@code committed} reserved. */
    static BudgetStatus monthly(String team, String limit, String spent, String committed) {
        BigDecimal l = new BigDecimal(limit);
        BigDecimal used = new BigDecimal(spent).add(new BigDecimal(committed));
        return new BudgetStatus(team, Budget.Kind.TEAM, "USD", Budget.Period.MONTHLY, Instant.parse("2026-06-01T00:00:00Z"), PERIOD_END, l,
                new BigDecimal(spent), new BigDecimal(committed), BigDecimal.ZERO, used, l.subtract(used), BigDecimal.ZERO, BudgetState.OK,
                BudgetState.OK, List.of());
    }

    GenericKubernetesResource workload(GenericKubernetesResource w) {
        return KueueFixtures.create(client, KueueObjects.WORKLOADS, w);
    }

    GenericKubernetesResource read(GenericKubernetesResource w) {
        return KueueFixtures.get(client, KueueObjects.WORKLOADS, w.getMetadata().getNamespace(), w.getMetadata().getName());
    }

    /** The requests the mock API server got since the last call, as "METHOD path". */
    List<String> requests() {
        List<String> out = new java.util.ArrayList<>();
        try {
            io.fabric8.mockwebserver.http.RecordedRequest r;
            while ((r = server.takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
                out.add(r.getMethod() + " " + r.getPath());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    static Map<String, Object> entry(GenericKubernetesResource w, String check) {
        return KueueObjects.list(KueueObjects.field(w, "status").get("admissionChecks")).stream().map(KueueObjects::map)
                .filter(e -> check.equals(e.get("name"))).findFirst().orElseThrow();
    }

    static String usd(Money m) {
        return m.toWire() + " USD";
    }

    @Test
    void aWorkloadTheBudgetHoldsIsReadyWithTheNumbersAndNothingButItsOwnEntryChanges() {
        budgets.put("team-a", monthly("team-a", "2000.00", "1200.00", "300.00"));
        GenericKubernetesResource before = workload(KueueFixtures.load("workload-reserved.yaml"));
        requests();

        BudgetCheck.Pass pass = check().pass();

        assertThat(pass).isEqualTo(new BudgetCheck.Pass(1, 1, 1, 0, 0));
        assertThat(requests()).as("what deploy/base/rbac.yaml grants for it, no more").containsExactly(
                "GET /apis/kueue.x-k8s.io/v1beta2/admissionchecks",
                "PATCH /apis/kueue.x-k8s.io/v1beta2/admissionchecks/trainops-budget/status",
                "GET /apis/kueue.x-k8s.io/v1beta2/workloads",
                "GET /apis/kueue.x-k8s.io/v1beta2/resourceflavors/gpu-large",
                "PATCH /apis/kueue.x-k8s.io/v1beta2/namespaces/team-a/workloads/job-finetune-llm-5d7c2/status");
        GenericKubernetesResource after = read(before);
        Map<String, Object> ours = entry(after, "trainops-budget");
        assertThat(ours).containsEntry("state", "Ready").containsEntry("lastTransitionTime", "2026-06-10T12:00:00Z")
                .doesNotContainKey("requeueAfterSeconds");
        assertThat((String) ours.get("message")).startsWith("Estimate " + usd(peak) + " for 8 x H100 over 1 h 0 min (priced at its time "
                + "limit, its pods' activeDeadlineSeconds 3600 s, the most it can cost) fits the 500.000000 USD that remain of team team-a's "
                + "monthly budget of 2000.000000 USD (spent 1200.000000 USD, committed 300.000000 USD)");
        // the other controller's entry, byte for byte, and everything else of the Workload
        String otherBefore = KueueFixtures.KUBE.asJson(entry(before, "capacity"));
        assertThat(KueueFixtures.KUBE.asJson(entry(after, "capacity"))).isEqualTo(otherBefore);
        assertThat(KueueObjects.list(KueueObjects.field(after, "status").get("admissionChecks")).stream().map(KueueObjects::map)
                .map(e -> e.get("name")).toList()).as("the entries keep their order").containsExactly("capacity", "trainops-budget");
        Map<String, Object> statusBefore = new HashMap<>(KueueObjects.field(before, "status"));
        Map<String, Object> statusAfter = new HashMap<>(KueueObjects.field(after, "status"));
        statusBefore.remove("admissionChecks");
        statusAfter.remove("admissionChecks");
        assertThat(KueueFixtures.KUBE.asJson(statusAfter)).isEqualTo(KueueFixtures.KUBE.asJson(statusBefore));
        assertThat(KueueFixtures.KUBE.asJson(KueueObjects.field(after, "spec"))).isEqualTo(KueueFixtures.KUBE.asJson(KueueObjects.field(before, "spec")));

        assertThat(check().pass()).as("a check that is no longer Pending is left alone").isEqualTo(new BudgetCheck.Pass(1, 0, 0, 0, 0));
        assertThat(read(before).getMetadata().getResourceVersion()).isEqualTo(after.getMetadata().getResourceVersion());
    }

    @Test
    void notNowButInTheOffPeakWindowIsRetryWithRequeueAfterSecondsUntilItStarts() {
        assertThat(offPeak.compareTo(peak)).isNegative();
        // 40 left: the peak estimate (about 55) does not fit, the off-peak one (about 28) does
        budgets.put("team-a", monthly("team-a", "2000.00", "1960.00", "0"));
        GenericKubernetesResource w = workload(KueueFixtures.load("workload-reserved.yaml"));

        assertThat(check().pass().retry()).isEqualTo(1);

        Map<String, Object> ours = entry(read(w), "trainops-budget");
        assertThat(ours).containsEntry("state", "Retry");
        assertThat(((Number) ours.get("requeueAfterSeconds")).longValue()).isEqualTo(36_000L);
        assertThat((String) ours.get("message")).startsWith("Not now: Estimate " + usd(peak)).contains("is above the 40.000000 USD that remain",
                "From the off-peak window at 2026-06-10T22:00:00Z it costs " + usd(offPeak) + ", which fits: retry in 36000 s.");
    }

    @Test
    void notNowNorOffPeakButNextPeriodIsRetryUntilTheBudgetPeriodRollsOver() {
        budgets.put("team-a", monthly("team-a", "2000.00", "1990.00", "5.00"));
        GenericKubernetesResource w = workload(KueueFixtures.load("workload-reserved.yaml"));

        assertThat(check().pass().retry()).isEqualTo(1);

        Map<String, Object> ours = entry(read(w), "trainops-budget");
        assertThat(ours).containsEntry("state", "Retry");
        long untilJuly = java.time.Duration.between(NOW, PERIOD_END).toSeconds();
        assertThat(((Number) ours.get("requeueAfterSeconds")).longValue()).isEqualTo(untilJuly).isEqualTo(1_771_200L);
        assertThat((String) ours.get("message")).contains("is above the 5.000000 USD that remain of team team-a's monthly budget of "
                + "2000.000000 USD", "it fits once the budget period rolls over at 2026-07-01T00:00:00Z: retry in 1771200 s.");
    }

    @Test
    void anEstimateAboveTheWholePeriodsBudgetEvenOffPeakIsRejected() {
        budgets.put("team-a", monthly("team-a", "25.00", "0", "0"));
        GenericKubernetesResource w = workload(KueueFixtures.load("workload-reserved.yaml"));

        assertThat(check().pass().rejected()).isEqualTo(1);

        Map<String, Object> ours = entry(read(w), "trainops-budget");
        assertThat(ours).containsEntry("state", "Rejected").doesNotContainKey("requeueAfterSeconds");
        assertThat((String) ours.get("message")).startsWith("Estimate " + usd(peak)).contains(", " + usd(offPeak)
                + " from the off-peak window, is above the whole of team team-a's monthly budget of 25.000000 USD", "it can never be admitted");
    }

    @Test
    void theBudgetChecksActiveConditionIsSetOnceAndAnotherControllersCheckIsLeftAlone() {
        GenericKubernetesResource otherBefore = KueueFixtures.get(client, KueueObjects.ADMISSION_CHECKS, null, "capacity");

        assertThat(check().pass()).isEqualTo(new BudgetCheck.Pass(1, 1, 0, 0, 0));

        GenericKubernetesResource ours = KueueFixtures.get(client, KueueObjects.ADMISSION_CHECKS, null, "trainops-budget");
        assertThat(KueueObjects.condition(KueueObjects.field(ours, "status"), "Active")).hasValueSatisfying(c -> assertThat(c)
                .containsEntry("status", "True").containsEntry("reason", "Active").containsEntry("lastTransitionTime", "2026-06-10T12:00:00Z")
                .containsEntry("message", BudgetCheck.ACTIVE_MESSAGE).containsKey("observedGeneration"));
        GenericKubernetesResource otherAfter = KueueFixtures.get(client, KueueObjects.ADMISSION_CHECKS, null, "capacity");
        assertThat(KueueFixtures.KUBE.asJson(otherAfter)).isEqualTo(KueueFixtures.KUBE.asJson(otherBefore));

        assertThat(check().pass().activated()).as("Active already: nothing written").isZero();
        assertThat(KueueFixtures.get(client, KueueObjects.ADMISSION_CHECKS, null, "trainops-budget").getMetadata().getResourceVersion())
                .isEqualTo(ours.getMetadata().getResourceVersion());
    }

    @Test
    void onlyWorkloadsWithReservedQuotaAndAPendingEntryOfOurCheckAreDecided() {
        budgets.put("team-a", monthly("team-a", "2000.00", "0", "0"));
        GenericKubernetesResource waiting = KueueFixtures.load("workload-reserved.yaml");
        waiting.getMetadata().setName("no-quota-yet");
        KueueObjects.list(KueueObjects.field(waiting, "status").get("conditions")).stream().map(KueueObjects::map)
                .forEach(c -> c.put("status", "False"));
        GenericKubernetesResource inactive = KueueFixtures.load("workload-reserved.yaml");
        inactive.getMetadata().setName("deactivated");
        KueueObjects.field(inactive, "spec").put("active", false);
        waiting = workload(waiting);
        inactive = workload(inactive);

        assertThat(check().pass()).isEqualTo(new BudgetCheck.Pass(1, 1, 0, 0, 0));

        assertThat(entry(read(waiting), "trainops-budget")).containsEntry("state", "Pending");
        assertThat(read(waiting).getMetadata().getResourceVersion()).isEqualTo(waiting.getMetadata().getResourceVersion());
        assertThat(read(inactive).getMetadata().getResourceVersion()).isEqualTo(inactive.getMetadata().getResourceVersion());
    }

    @Test
    void withinOnePassABudgetIsNotGivenTwiceOldestWorkloadFirst() {
        budgets.put("team-a", monthly("team-a", "2000.00", "1900.00", "0"));
        GenericKubernetesResource first = workload(KueueFixtures.load("workload-reserved.yaml"));
        GenericKubernetesResource second = KueueFixtures.load("workload-reserved.yaml");
        second.getMetadata().setName("job-finetune-llm-later");
        second = workload(second);

        BudgetCheck.Pass pass = check().pass();

        assertThat(pass.ready()).isEqualTo(1);
        assertThat(pass.retry()).isEqualTo(1);
        assertThat(entry(read(first), "trainops-budget")).containsEntry("state", "Ready");
        assertThat((String) entry(read(second), "trainops-budget").get("message")).contains(usd(peak) + " just granted to other Workloads");
    }

    @Test
    void aWorkloadThatCannotBePricedIsRejectedSayingWhatToAdd() {
        budgets.put("team-a", monthly("team-a", "2000.00", "0", "0"));
        GenericKubernetesResource unpriced = KueueFixtures.load("workload-reserved.yaml");
        podSpec(unpriced).remove("activeDeadlineSeconds");
        unpriced = workload(unpriced);

        assertThat(check().pass().rejected()).isEqualTo(1);

        assertThat((String) entry(read(unpriced), "trainops-budget").get("message")).isEqualTo("The budget check cannot price this Workload: "
                + "team-a/job-finetune-llm-5d7c2 has neither the label trainops.dev/model with the annotation trainops.dev/epochs nor a time "
                + "limit, so its cost cannot be estimated. Add the label trainops.dev/model and the annotation trainops.dev/epochs (priced from "
                + "the model's run history), or activeDeadlineSeconds on its pod template or spec.maximumExecutionTimeSeconds (priced as "
                + "running that long).");
    }

    /** History may come (a finished run, or MLflow answering again): a model without it is asked again later, not deactivated. */
    @Test
    void aModelWithoutRunHistoryYetAndNoTimeLimitIsRetriedLater() {
        budgets.put("team-a", monthly("team-a", "2000.00", "0", "0"));
        GenericKubernetesResource w = KueueFixtures.load("workload-reserved.yaml");
        podSpec(w).remove("activeDeadlineSeconds");
        w.getMetadata().getLabels().put("trainops.dev/model", "fresh");
        w.getMetadata().setAnnotations(Map.of("trainops.dev/epochs", "2"));
        w = workload(w);

        assertThat(check().pass().retry()).isEqualTo(1);

        Map<String, Object> ours = entry(read(w), "trainops-budget");
        assertThat(((Number) ours.get("requeueAfterSeconds")).longValue()).isEqualTo(BudgetDecider.HISTORY_RETRY.toSeconds()).isEqualTo(900);
        assertThat((String) ours.get("message")).startsWith("Not now: the budget check cannot price this Workload yet: team-a/"
                + "job-finetune-llm-5d7c2 is model fresh, which has no run history to estimate 2 epochs on 8 x H100 from")
                .endsWith("Retry in 900 s, when the history may have a run of it.");
    }

    @Test
    void aModelWithHistoryIsPricedByTheQueuesEstimatorAndATeamWithoutBudgetIsReady() {
        GenericKubernetesResource w = KueueFixtures.load("workload-reserved.yaml");
        w.getMetadata().setNamespace("team-x");
        w.getMetadata().getLabels().put("trainops.dev/model", "llm");
        w.getMetadata().setAnnotations(Map.of("trainops.dev/epochs", "4"));
        w = workload(w);
        Money fromHistory = Money.of("12.500000", "USD");
        Estimator history = (model, epochs, batch, type, gpus, spot, at) -> Optional.of(new Estimator.Estimate(type, 1800, fromHistory,
                "scaled from llm-bs64 (HIGH confidence)"));

        assertThat(check(history).pass().ready()).isEqualTo(1);

        assertThat((String) entry(read(w), "trainops-budget").get("message")).isEqualTo("Team team-x has no budget in config/budgets.yaml "
                + "(estimate 12.500000 USD for 8 x H100): nothing to hold it against.");
    }

    @Test
    void kueueIsDetectedByItsTwoCrdsServingV1beta2() {
        assertThat(BudgetCheck.installed(client).present()).isTrue();
        client.apiextensions().v1().customResourceDefinitions().withName("admissionchecks.kueue.x-k8s.io").delete();
        assertThat(BudgetCheck.installed(client)).isEqualTo(new BudgetCheck.Installed(false,
                "Kueue is not installed (no CustomResourceDefinition admissionchecks.kueue.x-k8s.io)"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> podSpec(GenericKubernetesResource w) {
        Map<String, Object> podSet = KueueObjects.map(KueueObjects.list(KueueObjects.field(w, "spec").get("podSets")).get(0));
        return (Map<String, Object>) KueueObjects.map(podSet.get("template")).get("spec");
    }
}
