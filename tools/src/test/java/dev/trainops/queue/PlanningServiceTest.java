package dev.trainops.queue;

import static dev.trainops.queue.QueueHarness.request;
import static dev.trainops.testing.ClusterFixtures.gpuNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.store.Store;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** decide_job_priority, check_training_quota and calculate_quota on the fabric8 CRUD mock. */
class PlanningServiceTest {
    MockQueueCluster cluster;
    KubernetesClient client;
    @TempDir
    Path dir;
    QueueHarness q;
    PlanningService planning;

    @BeforeEach
    void cluster() throws Exception {
        cluster = new MockQueueCluster(Store.sqlite(dir), List.of(MockQueueCluster.h100("h100-a"), gpuNode("l4-a", "NVIDIA-L4", 23034, 4)))
                .quota("team-a", 8);
        q = cluster.q;
        client = q.client;
        planning = new PlanningService(PriorityConfig.defaults(), QuotaConfig.defaults(), q.queue, q.scheduler, q.index, q::budgetStatus,
                q.prices, q.clock, q::estimate, q.footprints(), q.dryRun);
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void priorityFollowsTheJobTypeADeadlineOrTheRequestAndAnUrgentJobNamesWhatItMayPreempt() {
        assertThat(planning.decide(new PriorityRequest("llm", null, null, null)).priority()).isEqualTo(Priority.URGENT);
        assertThat(planning.decide(new PriorityRequest("mnist", null, null, null)).priority()).isEqualTo(Priority.NORMAL);
        assertThat(planning.decide(new PriorityRequest("resnet", "validation", null, null)).priority()).isEqualTo(Priority.BACKGROUND);
        PriorityDecision soon = planning.decide(new PriorityRequest("mnist", null, QueueHarness.T0.plusSeconds(7200).toString(), null));
        assertThat(soon.priority()).isEqualTo(Priority.URGENT);
        assertThat(soon.explanation()).contains("within 6 hours");
        PriorityDecision asked = planning.decide(new PriorityRequest("llm", null, null, Priority.BACKGROUND));
        assertThat(asked.priority()).isEqualTo(Priority.BACKGROUND);
        assertThat(asked.explanation()).contains("would get URGENT by default");
        assertThat(asked.priorityClass()).isEqualTo("trainops-background");
        assertThat(asked.preemptionPolicy()).isEqualTo("Never");

        QueueAnswer bg = q.service.submit(request("team-a", "bg", "validation", 2, Priority.BACKGROUND));
        PriorityDecision urgent = planning.decide(new PriorityRequest("llm", null, null, null));
        assertThat(urgent.mayPreempt()).singleElement().satisfies(p -> assertThat(p.jobId()).isEqualTo(bg.jobId()));
        assertThat(urgent.costImplications()).anyMatch(c -> c.contains("may evict BACKGROUND jobs"));
        assertThatThrownBy(() -> planning.decide(new PriorityRequest("llm", null, "tomorrow", null))).hasMessageContaining("deadline");
    }

    @Test
    void quotaShowsUseLimitAndTheEightyPercentWarning() {
        q.service.submit(request("team-a", "big", "llm", 7, Priority.NORMAL));
        QuotaStatus s = planning.check(new QuotaRequest("team-a"));
        assertThat(s.source()).isEqualTo("ResourceQuota team-a/trainops-quota");
        QuotaStatus.Usage gpu = s.resources().get(0);
        assertThat(gpu.resource()).isEqualTo("gpu");
        assertThat(gpu.used()).isEqualByComparingTo("7");
        assertThat(gpu.limit()).isEqualByComparingTo("8");
        assertThat(gpu.percent()).isEqualByComparingTo("87.50");
        assertThat(s.warnings()).anyMatch(w -> w.contains("87.5% of its gpu quota"));
        assertThatThrownBy(() -> planning.check(new QuotaRequest("team-z"))).hasMessageContaining("Unknown team 'team-z'");
    }

    @Test
    void cpuAndMemoryInUseCountTheTeamsOwnPodsOnly() {
        for (String[] pod : new String[][] {{"team-a", "notebook", "2", "4Gi"}, {"team-b", "other", "3", "8Gi"}}) {
            client.resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withNamespace(pod[0]).withName(pod[1])
                    .endMetadata().withNewSpec().addNewContainer().withName("main").withImage("busybox").withNewResources()
                    .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity(pod[2]))
                    .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity(pod[3])).endResources().endContainer().withNodeName("l4-a").endSpec()
                    .withNewStatus().withPhase("Running").endStatus().build()).create();
        }
        q.awaitIndex();
        QuotaStatus s = planning.check(new QuotaRequest("team-a"));
        assertThat(s.resources()).filteredOn(u -> u.resource().equals("cpu")).singleElement()
                .satisfies(u -> assertThat(u.used()).isEqualByComparingTo("2"));
        assertThat(s.resources()).filteredOn(u -> u.resource().equals("memory_gib")).singleElement()
                .satisfies(u -> assertThat(u.used()).isEqualByComparingTo("4"));
    }

    @Test
    void theWhatIfSaysWhetherItFitsWhatItCostsAndTheQuotaThatWould() {
        q.budgetLimit.put("team-a", new BigDecimal("100.00"));
        q.service.submit(request("team-a", "six", "llm", 6, Priority.NORMAL));
        QuotaWhatIf fits = planning.whatIf(new QuotaWhatIfRequest("team-a", 2, 3.0, 1, "H100"));
        assertThat(fits.fitsQuota()).isTrue();
        assertThat(fits.remainingAfter()).isZero();
        // 2 x 3 h x ($6.88 per H100 + 8 cores x $0.031611 + 64 GiB x $0.004237 per GPU) = 2 x 3 x $7.404056, all at peak from 10:00
        assertThat(fits.estimatedCost()).isEqualByComparingTo("44.424336");
        QuotaWhatIf not = planning.whatIf(new QuotaWhatIfRequest("team-a", 2, 10.0, 2, null));
        assertThat(not.fitsQuota()).isFalse();
        assertThat(not.remainingAfter()).isEqualTo(-2);
        assertThat(not.suggestedQuotaGpus()).isEqualTo(10);
        assertThat(not.gpuType()).isEqualTo("H100");
        assertThat(not.fitsBudget()).isFalse(); // 4 x 10 h x $7.404056 = $296.16 over what is left of $100
        assertThat(not.estimatedCost()).isEqualByComparingTo("296.162240");
        assertThat(not.notes()).anyMatch(n -> n.contains("the GPU type with the most GPUs"));
    }

    @Test
    void theWhatIfPricesGpuCpuAndMemoryAsThePriceBookBillsTheSameFootprint() {
        // 14 h from 10:00: 12 h at peak, then 2 h of the 22:00-06:00 off-peak window at half price
        QuotaWhatIf w = planning.whatIf(new QuotaWhatIfRequest("team-a", 2, 14.0, 3, "H100"));
        // two H100s with the default job template's 8 cores and 64 GiB per GPU (config/jobs.yaml)
        dev.trainops.cost.JobFootprint job = new dev.trainops.cost.JobFootprint("H100", new BigDecimal("2"), new BigDecimal("16"),
                new BigDecimal("128"));
        BigDecimal bill = q.prices.cost(job, QueueHarness.T0, 14 * 3600, false).amount();
        BigDecimal gpuOnly = q.prices.cost(new dev.trainops.cost.JobFootprint("H100", new BigDecimal("2"), BigDecimal.ZERO, BigDecimal.ZERO),
                QueueHarness.T0, 14 * 3600, false).amount();
        assertThat(w.estimatedCost()).isEqualByComparingTo(bill.multiply(new BigDecimal("3")));
        assertThat(bill).isEqualByComparingTo("192.505456"); // 2 x (12 h x $7.404056 + 2 h x $3.702028)
        assertThat(w.estimatedCost()).isGreaterThan(gpuOnly.multiply(new BigDecimal("3")));
        assertThat(w.notes()).anyMatch(n -> n.contains("2 H100 GPU(s), 16 CPU cores and 128 GiB"));
    }

    @Test
    void validationAnswersEveryCheckWithTheNodesTheEstimateAndCheaperAlternatives() {
        q.budgetLimit.put("team-a", new BigDecimal("100.00"));
        Validation ok = planning.validate(new ValidateRequest("llm", 2, 64, 4, "H100", "team-a"));
        assertThat(ok.feasible()).isTrue();
        assertThat(ok.fitsOn()).containsExactly("h100-a");
        assertThat(ok.freeNowOn()).containsExactly("h100-a");
        assertThat(ok.estimatedCost()).isEqualByComparingTo("9.173333");
        assertThat(ok.checks()).extracting(Validation.Check::check).contains("gpu_type", "fits_a_node", "quota", "budget",
                "gpu_limit_equals_request");
        assertThat(ok.cheaperAlternatives()).isNotEmpty().isSortedAccordingTo(java.util.Comparator.comparing(Validation.Alternative::estimatedCost));
        assertThat(ok.cheaperAlternatives()).anySatisfy(a -> assertThat(a.spot()).isTrue());
        assertThat(ok.cheaperAlternatives()).allSatisfy(a -> assertThat(a.estimatedCost()).isLessThan(ok.estimatedCost()));

        Validation tooBig = planning.validate(new ValidateRequest("llm", 2, 64, 9, "H100", "team-a"));
        assertThat(tooBig.feasible()).isFalse();
        assertThat(tooBig.checks()).anySatisfy(c -> {
            assertThat(c.check()).isEqualTo("fits_a_node");
            assertThat(c.ok()).isFalse();
            assertThat(c.detail()).contains("the largest has 8");
        });
        assertThat(tooBig.checks()).anySatisfy(c -> assertThat(c.detail()).contains("never fits it"));

        Validation unknown = planning.validate(new ValidateRequest("llm", 2, 64, 1, "B200", null));
        assertThat(unknown.feasible()).isFalse();
        assertThat(unknown.checks().get(0).detail()).contains("B200");
    }
}
