package dev.trainops.kueue;

import dev.trainops.budget.BudgetStatus;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.kube.KubeNames;
import dev.trainops.queue.Estimator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kueue package's entry point: trainops as Kueue's AdmissionCheck controller
 * {@value KubeNames#KUEUE_BUDGET_CONTROLLER} (docs/kubernetes.md, "Kueue budget check"). Each
 * {@link #pass()} keeps the {@code Active} condition of the AdmissionChecks with that controller
 * name, then, for each Workload whose quota is reserved and whose entry for one of those checks is
 * {@code Pending}, prices it ({@link WorkloadPricer}) and sets the entry to Ready, Retry (with
 * {@code requeueAfterSeconds}) or Rejected ({@link BudgetDecider}). A controller writes only its own
 * part of a status: each write is a JSON Patch of the status subresource that tests the entry's name
 * (and that it is still Pending) at its index and replaces that entry alone, so another check's
 * entry, or one moved meanwhile, is never overwritten (no server-side apply, which fabric8's mock
 * API server lacks; a merge patch would replace the whole list).
 */
public final class BudgetCheck {
    private static final Logger log = LoggerFactory.getLogger(BudgetCheck.class);
    private static final KubernetesSerialization KUBE = new KubernetesSerialization();
    static final String ACTIVE_MESSAGE = "trainops prices each Workload and holds it against its team's budget.";

    /** What one pass did: the AdmissionChecks of ours, those it made Active, and the Workload entries it set. */
    public record Pass(int checks, int activated, int ready, int retry, int rejected) {
    }

    /** Whether Kueue is there to answer for: both CRDs, serving v1beta2; {@code detail} says what is missing. */
    public record Installed(boolean present, String detail) {
    }

    private final KubernetesClient client;
    private final WorkloadPricer pricer;
    private final BudgetDecider decider;
    private final PriceBook prices;
    private final Clock clock;

    /**
     * @param history the queue's estimates from run history
     * @param budgets a team's budget status as the queue reads it (BudgetService::peek); empty for a team without a budget
     */
    public BudgetCheck(KubernetesClient client, Estimator history, PriceBook prices, Function<String, Optional<BudgetStatus>> budgets,
                       Clock clock) {
        this.client = client;
        this.pricer = new WorkloadPricer(history, prices);
        this.decider = new BudgetDecider(pricer, budgets, prices);
        this.prices = prices;
        this.clock = clock;
    }

    /** Reads Kueue's two CRDs (Workload, AdmissionCheck); present when both exist and serve v1beta2. */
    public static Installed installed(KubernetesClient client) {
        for (String name : List.of(KubeNames.KUEUE_WORKLOADS_CRD, KubeNames.KUEUE_ADMISSION_CHECKS_CRD)) {
            CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().withName(name).get();
            if (crd == null) {
                return new Installed(false, "Kueue is not installed (no CustomResourceDefinition " + name + ")");
            }
            boolean served = crd.getSpec() != null && crd.getSpec().getVersions() != null && crd.getSpec().getVersions().stream()
                    .anyMatch(v -> KubeNames.KUEUE_VERSION.equals(v.getName()) && Boolean.TRUE.equals(v.getServed()));
            if (!served) {
                return new Installed(false, "Kueue's " + name + " serves " + (crd.getSpec() == null ? List.of() : crd.getSpec().getVersions()
                        .stream().map(CustomResourceDefinitionVersion::getName).toList()) + ", not " + KubeNames.KUEUE_VERSION
                        + ": upgrade Kueue to a release that serves " + KubeNames.KUEUE_VERSION);
            }
        }
        return new Installed(true, "Kueue " + KubeNames.KUEUE_VERSION + " is installed");
    }

    /**
     * One pass over the AdmissionChecks and Workloads. A Workload that cannot be updated does not
     * stop the others; when some could not, the pass fails afterwards, naming the first.
     */
    public Pass pass() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Set<String> ours = new TreeSet<>();
        int activated = 0;
        for (GenericKubernetesResource check : client.genericKubernetesResources(KueueObjects.ADMISSION_CHECKS).list().getItems()) {
            if (KubeNames.KUEUE_BUDGET_CONTROLLER.equals(KueueObjects.field(check, "spec").get("controllerName"))) {
                ours.add(check.getMetadata().getName());
                activated += activate(check, now) ? 1 : 0;
            }
        }
        if (ours.isEmpty()) {
            return new Pass(0, 0, 0, 0, 0);
        }
        List<GenericKubernetesResource> workloads = new ArrayList<>(client.genericKubernetesResources(KueueObjects.WORKLOADS).inAnyNamespace()
                .list().getItems());
        // oldest first, so that within a pass the budget goes to the Workloads that have waited longest
        workloads.sort(Comparator.comparing((GenericKubernetesResource w) -> String.valueOf(w.getMetadata().getCreationTimestamp()))
                .thenComparing(KueueObjects::key));
        Map<String, Map<String, String>> flavors = new HashMap<>();
        Map<String, Money> granted = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        List<String> failures = new ArrayList<>();
        for (GenericKubernetesResource w : workloads) {
            try {
                decide(w, ours, now, flavors, granted, counts);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404 || e.getCode() == 409 || e.getCode() == 422) {
                    log.debug("Kueue Workload {} changed while it was checked; the next pass sees it again: {}", KueueObjects.key(w),
                            e.getMessage());
                } else {
                    failures.add(KueueObjects.key(w) + ": " + e.getMessage());
                }
            } catch (RuntimeException e) {
                failures.add(KueueObjects.key(w) + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " Kueue Workload(s) could not be checked; the first, " + failures.get(0));
        }
        return new Pass(ours.size(), activated, counts.getOrDefault(KueueObjects.READY, 0), counts.getOrDefault(KueueObjects.RETRY, 0),
                counts.getOrDefault(KueueObjects.REJECTED, 0));
    }

    private void decide(GenericKubernetesResource w, Set<String> ours, Instant now, Map<String, Map<String, String>> flavors,
                        Map<String, Money> granted, Map<String, Integer> counts) {
        Map<String, Object> status = KueueObjects.field(w, "status");
        boolean reserved = KueueObjects.condition(status, KueueObjects.QUOTA_RESERVED).map(c -> "True".equals(c.get("status"))).orElse(false);
        if (!reserved || Boolean.FALSE.equals(KueueObjects.field(w, "spec").get("active"))) {
            return;
        }
        List<Object> entries = KueueObjects.list(status.get("admissionChecks"));
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Map<String, Object> entry = KueueObjects.map(entries.get(i));
            if (ours.contains(KueueObjects.string(entry.get("name"))) && KueueObjects.PENDING.equals(entry.get("state"))) {
                pending.add(i);
            }
        }
        if (pending.isEmpty()) {
            return;
        }
        String team = w.getMetadata().getNamespace();
        WorkloadPricer.Demand demand = pricer.demand(w, flavor -> flavors.computeIfAbsent(flavor, this::nodeLabels));
        BudgetDecider.Decision d = decider.decide(demand, team, now, granted.getOrDefault(team, Money.zero(prices.currency())));
        for (int i : pending) {
            Map<String, Object> entry = new LinkedHashMap<>(KueueObjects.map(entries.get(i)));
            entry.put("state", d.state());
            entry.put("lastTransitionTime", now.toString());
            entry.put("message", d.message());
            if (d.requeueAfterSeconds() != null) {
                entry.put("requeueAfterSeconds", d.requeueAfterSeconds());
            } else {
                entry.remove("requeueAfterSeconds");
            }
            String path = "/status/admissionChecks/" + i;
            patchStatus(KueueObjects.WORKLOADS, w, List.of(op("test", path + "/name", entry.get("name")), op("test", path + "/state", KueueObjects.PENDING),
                    op("replace", path, entry)));
            log.info("Kueue Workload {}, check {}: {} ({})", KueueObjects.key(w), entry.get("name"), d.state(), d.message());
            counts.merge(d.state(), 1, Integer::sum);
        }
        if (d.granted() != null) {
            granted.merge(team, d.granted(), Money::plus);
        }
    }

    /**
     * Sets the check's {@code Active} condition (True, reason Active) unless it says so already for
     * this generation; only that condition is written. Returns whether it wrote.
     */
    private boolean activate(GenericKubernetesResource check, Instant now) {
        Map<String, Object> status = KueueObjects.field(check, "status");
        Optional<Map<String, Object>> current = KueueObjects.condition(status, KueueObjects.ACTIVE);
        Long generation = check.getMetadata().getGeneration();
        if (current.isPresent() && "True".equals(current.get().get("status"))
                && Objects.equals(KueueObjects.number(current.get().get("observedGeneration")).orElse(null), generation)) {
            return false;
        }
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", KueueObjects.ACTIVE);
        condition.put("status", "True");
        if (generation != null) {
            condition.put("observedGeneration", generation);
        }
        // a transition only when the status changes; a new generation alone keeps the time
        boolean wasTrue = current.isPresent() && "True".equals(current.get().get("status"));
        condition.put("lastTransitionTime", wasTrue ? current.get().get("lastTransitionTime") : now.toString());
        condition.put("reason", "Active");
        condition.put("message", ACTIVE_MESSAGE);
        List<Map<String, Object>> ops = new ArrayList<>();
        List<Object> conditions = KueueObjects.list(status.get("conditions"));
        if (!check.getAdditionalProperties().containsKey("status") || status.isEmpty()) {
            ops.add(op("add", "/status", Map.of("conditions", List.of(condition))));
        } else if (!status.containsKey("conditions")) {
            ops.add(op("add", "/status/conditions", List.of(condition)));
        } else if (current.isPresent()) {
            int i = conditions.indexOf(current.get());
            ops.add(op("test", "/status/conditions/" + i + "/type", KueueObjects.ACTIVE));
            ops.add(op("replace", "/status/conditions/" + i, condition));
        } else {
            ops.add(op("add", "/status/conditions/-", condition));
        }
        patchStatus(KueueObjects.ADMISSION_CHECKS, check, ops);
        log.info("Kueue AdmissionCheck {} ({}): Active", check.getMetadata().getName(), KubeNames.KUEUE_BUDGET_CONTROLLER);
        return true;
    }

    /** A ResourceFlavor's {@code spec.nodeLabels}; empty when it has none or does not exist. */
    private Map<String, String> nodeLabels(String flavor) {
        GenericKubernetesResource f = client.genericKubernetesResources(KueueObjects.RESOURCE_FLAVORS).withName(flavor).get();
        Map<String, String> out = new LinkedHashMap<>();
        if (f != null) {
            KueueObjects.map(KueueObjects.field(f, "spec").get("nodeLabels")).forEach((k, v) -> out.put(k, KueueObjects.string(v)));
        }
        return out;
    }

    /** A JSON Patch of the object's status subresource. */
    private void patchStatus(ResourceDefinitionContext kind, GenericKubernetesResource r, List<Map<String, Object>> ops) {
        var all = client.genericKubernetesResources(kind);
        // resource(r), not withName: fabric8 then patches the object as read, without reading it again first
        var one = kind.isNamespaceScoped() ? all.inNamespace(r.getMetadata().getNamespace()).resource(r) : all.resource(r);
        one.subresource("status").patch(PatchContext.of(PatchType.JSON), KUBE.asJson(ops));
    }

    static Map<String, Object> op(String op, String path, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("op", op);
        m.put("path", path);
        m.put("value", value);
        return m;
    }
}
