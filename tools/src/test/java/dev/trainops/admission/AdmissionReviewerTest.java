package dev.trainops.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GroupVersionKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook's decisions (DESIGN.md, "Kubernetes API"; docs/kubernetes.md, "The admission
 * webhook") on facts the test holds ({@link FakeFacts}): each deny reason with its numbers and the
 * cheaper options that fit, what is let through, and that a review reads only cached facts.
 */
class AdmissionReviewerTest {
    static final KubernetesSerialization KUBE = new KubernetesSerialization();
    FakeFacts fake;
    AdmissionReviewer reviewer;

    @BeforeEach
    void facts() {
        fake = new FakeFacts();
        reviewer = new AdmissionReviewer(fake.sources());
        reviewer.refresh();
    }

    @Test
    void aTrainingJobWithinItsCapTheBudgetAndTheQuotaIsAllowed() {
        Verdict v = decide(trainingJob("team-a", Map.of("model", "llm", "epochs", 2, "batchSize", 64, "maxCost", "5.00")));
        assertThat(v.allowed()).isTrue();
        assertThat(v.warnings()).isEmpty();
    }

    @Test
    void aTrainingJobAboveItsMaxCostIsDeniedWithTheCheaperOptionsThatFit() {
        Verdict v = decide(trainingJob("team-a", Map.of("model", "llm", "epochs", 10, "batchSize", 64, "maxCost", "5.00")));
        String estimate = FakeFacts.cost("H100", 1, 6000, false, FakeFacts.NOW).display();
        assertThat(v.reason()).isEqualTo(Verdict.Reason.OVER_MAX_COST);
        assertThat(v.field()).isEqualTo("spec.maxCost");
        assertThat(v.message()).startsWith("trainops: the estimated cost of TrainingJob llm-run, " + estimate
                        + " (scaled from llm-base in test-history), is above its maxCost of $5.00. Cheaper options that fit $5.00: ")
                .contains("spot: true " + FakeFacts.cost("H100", 1, 6000, true, FakeFacts.NOW).display() + " (expected, interruptions included)")
                .contains("epochs: 4 " + FakeFacts.cost("H100", 1, 2400, false, FakeFacts.NOW).display())
                .doesNotContain("off_peak", "gpuType: L4") // both cheaper, neither under $5.00
                .endsWith(" Or raise spec.maxCost.");
    }

    @Test
    void aTeamWhoseBudgetIsBlockedIsDeniedWithItsNumbersForEveryKind() {
        Verdict job = decide(trainingJob("team-b", Map.of("model", "llm", "epochs", 1, "batchSize", 64)));
        assertThat(job.reason()).isEqualTo(Verdict.Reason.BUDGET_BLOCKED);
        assertThat(job.message()).contains("team-b's monthly budget is BLOCKED: $1050.00 spent and committed of $1000.00 (105%) until "
                + "2026-12-01T00:00:00Z").contains("This job would cost " + FakeFacts.cost("H100", 1, 600, false, FakeFacts.NOW).display());
        Verdict raw = decide(job("team-b", gpuJob(1, 1, 1)));
        assertThat(raw.reason()).isEqualTo(Verdict.Reason.BUDGET_BLOCKED);
        assertThat(raw.message()).startsWith("trainops: Job train is refused: team-b's monthly budget is BLOCKED");
    }

    @Test
    void theControllersMirrorOfAnMcpJobIsAllowedEvenWhenTheBudgetIsBlockedSinceItWasQueued() {
        Map<String, Object> mirror = object("TrainingJob", Map.of("model", "llm", "epochs", 1, "batchSize", 64));
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = (Map<String, Object>) mirror.get("metadata");
        metadata.put("labels", Map.of("app.kubernetes.io/managed-by", "trainops", "trainops.dev/job-id", "job-42"));
        assertThat(decide(request("trainops.dev", "v1alpha1", "TrainingJob", "team-b", mirror))).isEqualTo(Verdict.allow(List.of()));
        metadata.put("labels", Map.of("trainops.dev/job-id", "job-42"));
        assertThat(decide(request("trainops.dev", "v1alpha1", "TrainingJob", "team-b", mirror)).reason())
                .as("not labelled as trainops's: reviewed like any other").isEqualTo(Verdict.Reason.BUDGET_BLOCKED);
    }

    @Test
    void anEstimateAboveWhatIsLeftOfTheBudgetIsDeniedWithOptionsThatFitIt() {
        Verdict v = decide(trainingJob("team-c", Map.of("model", "llm", "epochs", 3, "batchSize", 64)));
        assertThat(v.reason()).isEqualTo(Verdict.Reason.OVER_BUDGET);
        assertThat(v.message()).contains("is above what is left of the budget: $3.00 of team-c's monthly budget of $100.00 is left.")
                .contains("Cheaper options that fit $3.00: ").contains("spot: true");
    }

    @Test
    void aTrainingJobBiggerThanTheTeamsGpuQuotaIsDeniedButOneThatOnlyWaitsIsNot() {
        Verdict never = decide(trainingJob("team-a", Map.of("model", "llm", "epochs", 1, "batchSize", 64, "gpuCount", 16)));
        assertThat(never.reason()).isEqualTo(Verdict.Reason.OVER_GPU_QUOTA);
        assertThat(never.field()).isEqualTo("spec.gpuCount");
        assertThat(never.message()).contains("asks for 16 GPUs but team team-a's GPU quota is 8 (it uses 6 now), so it could never run");
        // 4 GPUs with 6 of 8 in use: the queue holds it until they free up, as queue_training_job does
        assertThat(decide(trainingJob("team-a", Map.of("model", "llm", "epochs", 1, "batchSize", 64, "gpuCount", 4))).allowed()).isTrue();
    }

    @Test
    void aRawJobWhoseGpuLimitDiffersFromItsRequestIsDenied() {
        Verdict v = decide(job("team-a", gpuJob(1, 1, 2)));
        assertThat(v.reason()).isEqualTo(Verdict.Reason.GPU_LIMIT_MISMATCH);
        assertThat(v.field()).isEqualTo("spec.template.spec.containers[0].resources.limits");
        assertThat(v.message()).isEqualTo("trainops: container train of Job train requests 1 nvidia.com/gpu with a limit of 2; a GPU limit "
                + "must equal its request (a GPU is never shared beyond its request, and trainops bills and counts quota by it). Set both to 1, "
                + "or both to 2.");
    }

    @Test
    void aRawJobBeyondTheTeamsGpuQuotaWithWhatItHoldsIsDenied() {
        Verdict v = decide(job("team-a", gpuJob(2, 2, 2)));
        assertThat(v.reason()).isEqualTo(Verdict.Reason.OVER_GPU_QUOTA);
        assertThat(v.message()).contains("asks for 4 GPUs (2 pod(s) of 2) but team team-a uses 6 of its quota of 8, so 2 are free. Ask for "
                + "at most 2, or submit it as a TrainingJob");
        assertThat(decide(job("team-a", gpuJob(1, 2, 2))).allowed()).as("2 GPUs fit the 2 free").isTrue();
    }

    @Test
    void aCappedRawJobWithNothingToEstimateFromIsDeniedSayingWhatToAdd() {
        Job j = gpuJob(1, 1, 1);
        j.getMetadata().setAnnotations(Map.of("trainops.dev/max-cost", "5.00"));
        Verdict v = decide(job("team-a", j));
        assertThat(v.reason()).isEqualTo(Verdict.Reason.NO_ESTIMATE);
        assertThat(v.message()).isEqualTo("trainops: Job train has a trainops.dev/max-cost of $5.00 but nothing to estimate its cost from. "
                + "Add the label trainops.dev/model (a model with run history, e.g. llm) and the annotation trainops.dev/epochs (e.g. \"3\"), "
                + "or set spec.activeDeadlineSeconds (it is then priced as running that long, the most it can cost).");
    }

    @Test
    void aRawJobIsPricedFromItsModelAndEpochsElseFromItsTimeLimit() {
        Job byModel = gpuJob(1, 1, 1);
        byModel.getMetadata().setLabels(Map.of("trainops.dev/model", "llm"));
        byModel.getMetadata().setAnnotations(Map.of("trainops.dev/max-cost", "5.00", "trainops.dev/epochs", "10"));
        Verdict v = decide(job("team-a", byModel));
        assertThat(v.reason()).isEqualTo(Verdict.Reason.OVER_MAX_COST);
        assertThat(v.message()).contains("the estimated cost of Job train, " + FakeFacts.cost("H100", 1, 6000, false, FakeFacts.NOW).display()
                + " (scaled from llm-base in test-history), is above its trainops.dev/max-cost of $5.00.").contains("epochs: 4");

        Job byDeadline = gpuJob(1, 1, 1);
        byDeadline.getSpec().setActiveDeadlineSeconds(36_000L);
        byDeadline.getMetadata().setAnnotations(Map.of("trainops.dev/max-cost", "25.00"));
        Verdict d = decide(job("team-a", byDeadline));
        assertThat(d.reason()).isEqualTo(Verdict.Reason.OVER_MAX_COST);
        // 10 h on the dearest GPU here (H100), 4 cores and 16 GiB as the pod requests them
        String most = FakeFacts.PRICES.cost(new dev.trainops.cost.JobFootprint("H100", java.math.BigDecimal.ONE, new java.math.BigDecimal("4"),
                new java.math.BigDecimal("16")), FakeFacts.NOW, 36_000, false).display();
        assertThat(d.message()).contains("the estimated cost of Job train, at most " + most + " (activeDeadlineSeconds 36000 s on H100, the "
                + "dearest GPU type here, as it names no nvidia.com/gpu.product), is above its trainops.dev/max-cost of $25.00.")
                .contains("a spot node (nodeSelector karpenter.sh/capacity-type: spot) at most")
                .contains("L4 (nodeSelector nvidia.com/gpu.product: NVIDIA-L4) at most")
                .containsPattern("activeDeadlineSeconds: \\d+ at most \\$[0-9.]+");
    }

    @Test
    void anAllowedRawGpuJobIsWarnedThatItSkipsTheQueue() {
        Verdict v = decide(job("team-a", gpuJob(1, 1, 1)));
        assertThat(v.allowed()).isTrue();
        assertThat(v.warnings()).singleElement().asString().contains("uses GPUs outside trainops's queue");
    }

    @Test
    void whatTrainopsCreatedWhatIsNotOursAndWhatIsNoCreationAreAllowedUnseen() {
        Job own = gpuJob(1, 1, 2);
        own.getMetadata().setLabels(Map.of("app.kubernetes.io/managed-by", "trainops", "trainops.dev/job-id", "tj-1"));
        assertThat(decide(job("team-b", own))).isEqualTo(Verdict.allow(List.of()));
        assertThat(decide(job("default", gpuJob(1, 1, 2)))).as("not a team's namespace").isEqualTo(Verdict.allow(List.of()));
        Pod ofAJob = new PodBuilder().withNewMetadata().withName("train-x").addNewOwnerReference().withApiVersion("batch/v1").withKind("Job")
                .withName("train").withUid("u").withController(true).endOwnerReference().endMetadata()
                .withSpec(gpuJob(1, 1, 2).getSpec().getTemplate().getSpec()).build();
        assertThat(decide(request("", "v1", "Pod", "team-b", ofAJob))).as("reviewed as its Job").isEqualTo(Verdict.allow(List.of()));
        Pod cpuOnly = new PodBuilder().withNewMetadata().withName("web").endMetadata().withNewSpec().addNewContainer().withName("c")
                .withImage("i").endContainer().endSpec().build();
        assertThat(decide(request("", "v1", "Pod", "team-b", cpuOnly))).isEqualTo(Verdict.allow(List.of()));
        AdmissionRequest update = job("team-b", gpuJob(1, 1, 2));
        update.setOperation("UPDATE");
        assertThat(decide(update)).isEqualTo(Verdict.allow(List.of()));
    }

    @Test
    void aRawPodIsReviewedLikeAJob() {
        Pod pod = new PodBuilder().withNewMetadata().withName("notebook").endMetadata().withSpec(gpuJob(1, 1, 2).getSpec().getTemplate().getSpec())
                .build();
        Verdict v = decide(request("", "v1", "Pod", "team-a", pod));
        assertThat(v.reason()).isEqualTo(Verdict.Reason.GPU_LIMIT_MISMATCH);
        assertThat(v.field()).isEqualTo("spec.containers[0].resources.limits");
    }

    @Test
    void aTrainingJobOutsideATeamOrNamingAnotherTeamIsDenied() {
        Verdict v = decide(trainingJob("default", Map.of("model", "llm", "epochs", 1, "batchSize", 64)));
        assertThat(v.reason()).isEqualTo(Verdict.Reason.NOT_A_TEAM);
        assertThat(v.message()).contains("namespace default is not a trainops team (teams: team-a, team-b, team-c)");
        Verdict other = decide(trainingJob("team-a", Map.of("model", "llm", "epochs", 1, "batchSize", 64, "team", "team-b")));
        assertThat(other.reason()).isEqualTo(Verdict.Reason.INVALID);
        assertThat(other.field()).isEqualTo("spec.team");
    }

    @Test
    void aGpuTypeTrainopsDoesNotPriceIsDeniedAsTheQueueWouldRefuseIt() {
        Verdict v = decide(trainingJob("team-a", Map.of("model", "llm", "epochs", 1, "batchSize", 64, "gpuType", "TPU-v5")));
        assertThat(v.reason()).isEqualTo(Verdict.Reason.INVALID);
        assertThat(v.message()).isEqualTo("trainops: spec.gpuType is TPU-v5, which trainops does not price; use one of H100, L4.");
        assertThat(decide(trainingJob("team-a", Map.of("model", "llm", "epochs", 1, "batchSize", 64, "gpuType", "h100"))).allowed())
                .as("spelt another way").isTrue();
    }

    @Test
    void aTrainingBatchAboveItsMaxCostAnnotationIsDenied() {
        Map<String, Object> item = Map.of("model", "llm", "epochs", 3, "batchSize", 64);
        Map<String, Object> batch = object("TrainingBatch", Map.of("jobs", List.of(item, item, item), "parallel", false));
        ((Map<String, Object>) batch.get("metadata")).put("annotations", Map.of("trainops.dev/max-cost", "10.00"));
        Verdict v = decide(request("trainops.dev", "v1alpha1", "TrainingBatch", "team-a", batch));
        String total = FakeFacts.cost("H100", 1, 1800, false, FakeFacts.NOW).times(java.math.BigDecimal.valueOf(3)).display();
        assertThat(v.reason()).isEqualTo(Verdict.Reason.OVER_MAX_COST);
        assertThat(v.field()).isEqualTo("metadata.annotations");
        assertThat(v.message()).startsWith("trainops: the estimated cost of TrainingBatch llm-run's 3 jobs, " + total
                + ", is above its trainops.dev/max-cost of $10.00. Cheaper: spec.jobs[0] ");
    }

    @Test
    void beforeTheFirstReadOfTheFactsATrainingJobIsAllowedWithAWarning() {
        AdmissionReviewer fresh = new AdmissionReviewer(new FakeFacts().sources());
        Verdict v = fresh.decide(trainingJob("team-b", Map.of("model", "llm", "epochs", 1, "batchSize", 64)));
        assertThat(v.allowed()).isTrue();
        assertThat(v.warnings()).singleElement().asString().contains("the queue checks this job when it is submitted");
    }

    @Test
    void reviewsReadOnlyCachedFactsAndEachJobShapeIsEstimatedOnce() {
        int budgets = fake.budgetReads.get();
        int quotas = fake.quotaReads.get();
        for (int i = 0; i < 50; i++) {
            decide(trainingJob("team-a", Map.of("model", "llm", "epochs", 2, "batchSize", 64)));
            decide(job("team-a", gpuJob(1, 1, 1)));
        }
        assertThat(fake.budgetReads.get()).as("budget reads during reviews").isEqualTo(budgets);
        assertThat(fake.quotaReads.get()).as("quota reads during reviews").isEqualTo(quotas);
        assertThat(fake.estimates.get()).as("estimates of one shape").isEqualTo(1);
        reviewer.refresh();
        assertThat(fake.budgetReads.get()).as("a refresh reads each team's budget").isEqualTo(budgets + 3);
    }

    @Test
    void theResponseCarriesTheReasonAsAForbiddenStatusWithItsField() {
        AdmissionResponse r = reviewer.review(job("team-a", gpuJob(1, 1, 2)));
        assertThat(r.getAllowed()).isFalse();
        assertThat(r.getStatus().getCode()).isEqualTo(403);
        assertThat(r.getStatus().getReason()).isEqualTo("Forbidden");
        assertThat(r.getStatus().getDetails().getCauses()).singleElement().satisfies(c -> {
            assertThat(c.getReason()).isEqualTo("GPU_LIMIT_MISMATCH");
            assertThat(c.getField()).isEqualTo("spec.template.spec.containers[0].resources.limits");
        });
        assertThat(r.getAuditAnnotations()).containsEntry("reason", "GPU_LIMIT_MISMATCH");
    }

    Verdict decide(AdmissionRequest r) {
        return reviewer.decide(r);
    }

    /** A Job of {@code pods} pods at once, each with one container requesting {@code request} GPUs with limit {@code limit}. */
    static Job gpuJob(int pods, long request, long limit) {
        return new JobBuilder().withNewMetadata().withName("train").endMetadata().withNewSpec().withParallelism(pods).withNewTemplate()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("train").withImage("trainer:1").withNewResources()
                .addToRequests("nvidia.com/gpu", new Quantity(Long.toString(request))).addToRequests("cpu", new Quantity("4"))
                .addToRequests("memory", new Quantity("16Gi")).addToLimits("nvidia.com/gpu", new Quantity(Long.toString(limit))).endResources()
                .endContainer().endSpec().endTemplate().endSpec().build();
    }

    static AdmissionRequest job(String namespace, Job job) {
        return request("batch", "v1", "Job", namespace, job);
    }

    static AdmissionRequest trainingJob(String namespace, Map<String, Object> spec) {
        return request("trainops.dev", "v1alpha1", "TrainingJob", namespace, object("TrainingJob", spec));
    }

    static Map<String, Object> object(String kind, Map<String, Object> spec) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", "llm-run");
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("apiVersion", "trainops.dev/v1alpha1");
        o.put("kind", kind);
        o.put("metadata", metadata);
        o.put("spec", spec);
        return o;
    }

    /** A request as the servlet hands it over: parsed from JSON, so the object is typed as fabric8 types it. */
    static AdmissionRequest request(String group, String version, String kind, String namespace, Object object) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("uid", "u-1");
        r.put("kind", Map.of("group", group, "version", version, "kind", kind));
        r.put("namespace", namespace);
        r.put("operation", "CREATE");
        Object o = object instanceof HasMetadata h ? KUBE.convertValue(h, Map.class) : object;
        r.put("object", o);
        AdmissionRequest parsed = KUBE.unmarshal(KUBE.asJson(r), AdmissionRequest.class);
        if (kind.startsWith("Training")) {
            assertThat(parsed.getObject()).isInstanceOf(GenericKubernetesResource.class);
        }
        return parsed;
    }
}
