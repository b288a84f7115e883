package dev.trainops.admission;

import dev.trainops.budget.BudgetStatus;
import dev.trainops.cost.PriceBook;
import dev.trainops.kube.KubeNames;
import dev.trainops.queue.Estimator;
import dev.trainops.queue.QuotaStatus;
import io.fabric8.kubernetes.api.model.GroupVersionKind;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The validating admission webhook's decisions (DESIGN.md, "Kubernetes API"; docs/kubernetes.md,
 * "The admission webhook"): for a TrainingJob or TrainingBatch, and for a GPU-requesting batch/v1
 * Job or Pod in a team's namespace that trainops did not create, allowed or denied with the numbers
 * and the cheaper options. It answers from facts read ahead ({@link #refresh}, which the app's loop
 * calls every few seconds) and estimates kept per job shape, so a review makes no API call and no
 * store query. Only creations are reviewed; an update, a delete or another kind is allowed.
 */
public final class AdmissionReviewer {
    private static final KubernetesSerialization KUBE = new KubernetesSerialization();

    /**
     * Where the facts come from.
     *
     * @param teams      the teams (namespaces) trainops knows: config/quotas.yaml and the namespaces with a GPU ResourceQuota
     * @param budgets    a team's budget this period (empty: none); read on refresh only
     * @param quotaUsage each team's use of its quotas, as check_training_quota reports it; read on refresh only
     * @param nodes      the cluster's nodes, from the informers' index
     * @param estimator  the queue's estimates (history, else the job template's time limit)
     * @param prices     the price list, the tariff calendar and the spot labels
     */
    public record Sources(Supplier<Set<String>> teams, Function<String, Optional<BudgetStatus>> budgets,
                          Supplier<Map<String, List<QuotaStatus.Usage>>> quotaUsage, Supplier<List<Node>> nodes, Estimator estimator,
                          PriceBook prices, Clock clock) {
        public Sources {
            Objects.requireNonNull(teams, "teams");
            Objects.requireNonNull(budgets, "budgets");
            Objects.requireNonNull(quotaUsage, "quotaUsage");
            Objects.requireNonNull(nodes, "nodes");
            Objects.requireNonNull(estimator, "estimator");
            Objects.requireNonNull(prices, "prices");
            Objects.requireNonNull(clock, "clock");
        }
    }

    private final CachedFacts facts;
    private final TrainingReview training;
    private final WorkloadReview workloads;

    public AdmissionReviewer(Sources sources) {
        this.facts = new CachedFacts(sources);
        this.training = new TrainingReview(facts, sources.prices(), sources.clock());
        this.workloads = new WorkloadReview(facts, sources.prices(), sources.clock());
    }

    /** Reads the teams' budgets and quota use and the cluster's GPU types again (a failure keeps the last ones and is thrown). */
    public void refresh() {
        facts.refresh();
    }

    /** When the facts were last read; null before the first {@link #refresh}. */
    public java.time.Instant factsAsOf() {
        return facts.snapshot().asOf();
    }

    /** The response to one AdmissionReview's request (its uid is the caller's to set). */
    public AdmissionResponse review(AdmissionRequest request) {
        return decide(request).toResponse();
    }

    Verdict decide(AdmissionRequest request) {
        if (!"CREATE".equals(request.getOperation())) {
            return Verdict.allow(List.of());
        }
        GroupVersionKind kind = request.getKind();
        String group = kind.getGroup() == null ? "" : kind.getGroup();
        String namespace = request.getNamespace();
        Object object = request.getObject();
        if (object == null) {
            return Verdict.allow(List.of());
        }
        if (group.equals(KubeNames.DOMAIN)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = object instanceof Map<?, ?> m ? (Map<String, Object>) m : KUBE.convertValue(object, Map.class);
            String name = request.getName() != null ? request.getName() : nameOf(map);
            return switch (kind.getKind()) {
                case "TrainingJob" -> training.trainingJob(namespace, name, map);
                case "TrainingBatch" -> training.trainingBatch(namespace, name, map);
                default -> Verdict.allow(List.of());
            };
        }
        if (group.equals("batch") && kind.getKind().equals("Job")) {
            return workloads.review(namespace, Workload.of(object instanceof Job j ? j : KUBE.convertValue(object, Job.class)));
        }
        if (group.isEmpty() && kind.getKind().equals("Pod")) {
            return workloads.review(namespace, Workload.of(object instanceof Pod p ? p : KUBE.convertValue(object, Pod.class)));
        }
        return Verdict.allow(List.of());
    }

    private static String nameOf(Map<String, Object> object) {
        Object metadata = object.get("metadata");
        Object name = metadata instanceof Map<?, ?> m ? m.get("name") : null;
        if (name == null && metadata instanceof Map<?, ?> m) {
            name = m.get("generateName");
        }
        return name == null ? "(unnamed)" : String.valueOf(name);
    }
}
