package dev.trainops.admission;

import dev.trainops.budget.BudgetState;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.kube.KubeNames;
import dev.trainops.queue.Estimator;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TrainingJob and TrainingBatch (trainops.dev): refused here what the queue would refuse at
 * submission, before the object is stored, with the numbers and the cheaper options: a team whose
 * budget is BLOCKED, an estimate above the job's {@code maxCost}, the batch's
 * {@code trainops.dev/max-cost} annotation or the budget left, a job bigger than the team's GPU
 * quota (it could never run; one that fits waits in the queue, as a queue_training_job call would).
 */
final class TrainingReview {
    static final String MAX_COST_ANNOTATION = KubeNames.DOMAIN + "/max-cost";

    private final CachedFacts facts;
    private final PriceBook prices;
    private final Clock clock;

    TrainingReview(CachedFacts facts, PriceBook prices, Clock clock) {
        this.facts = facts;
        this.prices = prices;
        this.clock = clock;
    }

    Verdict trainingJob(String namespace, String name, Map<?, ?> object) {
        Optional<Verdict> team = team(namespace, "TrainingJob");
        if (team.isPresent()) {
            return team.get();
        }
        if (mirror(object)) {
            // the controller's mirror of a job already queued through MCP (checked then); a mirror label on an object of
            // anyone else's is no way around this check: the controller refuses one that names no job of the team
            return Verdict.allow(List.of());
        }
        TrainingSpec spec;
        try {
            spec = canonical(TrainingSpec.parse((Map<?, ?>) object.get("spec"), "spec"));
        } catch (IllegalArgumentException | ClassCastException e) {
            return Verdict.deny(Verdict.Reason.INVALID, "spec", "trainops: " + e.getMessage() + ".");
        }
        Optional<Verdict> refused = checkItem(namespace, spec, "TrainingJob " + name);
        return refused.orElseGet(() -> allowed(List.of(spec)));
    }

    Verdict trainingBatch(String namespace, String name, Map<?, ?> object) {
        Optional<Verdict> team = team(namespace, "TrainingBatch");
        if (team.isPresent()) {
            return team.get();
        }
        List<TrainingSpec> items = new ArrayList<>();
        Long cap;
        try {
            Object spec = object.get("spec");
            Object jobs = spec instanceof Map<?, ?> m ? m.get("jobs") : null;
            if (!(jobs instanceof List<?> list) || list.isEmpty()) {
                throw new IllegalArgumentException("spec.jobs must list 1 to 100 training configs");
            }
            for (int i = 0; i < list.size(); i++) {
                items.add(canonical(TrainingSpec.parse((Map<?, ?>) list.get(i), "spec.jobs[" + i + "]")));
            }
            String annotation = annotations(object).get(MAX_COST_ANNOTATION);
            cap = annotation == null ? null : TrainingSpec.micros(annotation, "the annotation " + MAX_COST_ANNOTATION);
        } catch (IllegalArgumentException | ClassCastException e) {
            return Verdict.deny(Verdict.Reason.INVALID, "spec", "trainops: " + e.getMessage() + ".");
        }
        long total = 0;
        boolean allPriced = true;
        for (TrainingSpec item : items) {
            Optional<Verdict> refused = checkItem(namespace, item, "TrainingBatch " + name + " " + item.field());
            if (refused.isPresent()) {
                return refused.get();
            }
            Optional<Estimator.Estimate> e = facts.estimate(item.shape());
            total += e.map(x -> x.cost().toMicros()).orElse(0L);
            allPriced &= e.isPresent();
        }
        if (cap != null && total > cap) {
            Money sum = Money.micros(total, prices.currency());
            List<String> options = new ArrayList<>();
            for (TrainingSpec item : items) {
                facts.estimate(item.shape()).ifPresent(e -> CheaperOptions.fromHistory(facts, item.shape(), e, null).stream().limit(2)
                        .forEach(o -> options.add(item.field() + " " + o)));
            }
            return Verdict.deny(Verdict.Reason.OVER_MAX_COST, "metadata.annotations", "trainops: the estimated cost of TrainingBatch " + name
                    + "'s " + items.size() + " jobs, " + sum.display() + ", is above its " + MAX_COST_ANNOTATION + " of "
                    + Money.micros(cap, prices.currency()).display() + "." + CheaperOptions.sentence(options.stream().limit(CheaperOptions.MAX)
                    .toList(), null, "Cheaper") + " Raise the annotation, or take jobs out of the batch.");
        }
        Verdict ok = allowed(items);
        return cap != null && !allPriced ? ok.warn("trainops: some jobs of this batch have no run history and no time limit to price them "
                + "by, so " + MAX_COST_ANNOTATION + " counts only the others.") : ok;
    }

    /** Budget, quota and caps of one config; empty when it passes. */
    private Optional<Verdict> checkItem(String namespace, TrainingSpec spec, String what) {
        if (spec.team() != null && !spec.team().isBlank() && !spec.team().equals(namespace)) {
            return Optional.of(Verdict.deny(Verdict.Reason.INVALID, spec.field() + ".team", "trainops: " + spec.field() + ".team is "
                    + spec.team() + " but the object is in namespace " + namespace + "; a job runs and is billed in its namespace's team. "
                    + "Leave " + spec.field() + ".team out, or apply it in namespace " + spec.team() + "."));
        }
        CachedFacts.Team team = facts.snapshot().byTeam().get(namespace);
        BudgetStatus budget = team == null ? null : team.budget();
        Optional<Estimator.Estimate> estimate = facts.estimate(spec.shape());
        if (budget != null && budget.state() == BudgetState.BLOCKED) {
            String now = estimate.map(e -> " This job would cost " + e.cost().display() + "." + CheaperOptions.sentence(
                    CheaperOptions.fromHistory(facts, spec.shape(), e, null), null, "Cheaper, once the budget allows")).orElse("");
            return Optional.of(Verdict.deny(Verdict.Reason.BUDGET_BLOCKED, "metadata.namespace", "trainops: " + what + " is refused: "
                    + Wording.blocked(budget) + now));
        }
        if (team != null && team.gpuQuota() != null && spec.migProfile() == null && spec.gpuCount() > team.gpuQuota()) {
            return Optional.of(Verdict.deny(Verdict.Reason.OVER_GPU_QUOTA, spec.field() + ".gpuCount", "trainops: " + what + " asks for "
                    + spec.gpuCount() + " GPUs but team " + namespace + "'s GPU quota is " + team.gpuQuota() + " (it uses " + team.gpusInUse()
                    + " now), so it could never run. Ask for at most " + team.gpuQuota() + " (" + spec.field() + ".gpuCount), or ask for a "
                    + "larger quota."));
        }
        if (estimate.isEmpty()) {
            return Optional.empty();
        }
        Estimator.Estimate e = estimate.get();
        long cost = e.cost().toMicros();
        if (spec.maxCostMicros() != null && cost > spec.maxCostMicros()) {
            Money cap = Money.micros(spec.maxCostMicros(), prices.currency());
            return Optional.of(Verdict.deny(Verdict.Reason.OVER_MAX_COST, spec.field() + ".maxCost", "trainops: the estimated cost of " + what
                    + ", " + e.cost().display() + " (" + e.basis() + "), is above its maxCost of " + cap.display() + "."
                    + CheaperOptions.sentence(CheaperOptions.fromHistory(facts, spec.shape(), e, spec.maxCostMicros()), cap, "Cheaper options")
                    + " Or raise " + spec.field() + ".maxCost."));
        }
        if (budget != null) {
            long left = budget.remaining().movePointRight(Money.SCALE).longValue();
            if (cost > left) {
                Money fit = Money.micros(Math.max(0, left), prices.currency());
                return Optional.of(Verdict.deny(Verdict.Reason.OVER_BUDGET, "metadata.namespace", "trainops: the estimated cost of " + what
                        + ", " + e.cost().display() + " (" + e.basis() + "), is above what is left of the budget: " + Wording.left(budget) + "."
                        + CheaperOptions.sentence(CheaperOptions.fromHistory(facts, spec.shape(), e, Math.max(0, left)), fit, "Cheaper options")));
            }
        }
        return Optional.empty();
    }

    /** A namespace that is no team: refused (the controller would reject it); empty when it is one. */
    private Optional<Verdict> team(String namespace, String kind) {
        CachedFacts.Snapshot s = facts.snapshot();
        if (s.asOf() == null || namespace == null || s.teams().contains(namespace)) {
            return Optional.empty();
        }
        return Optional.of(Verdict.deny(Verdict.Reason.NOT_A_TEAM, "metadata.namespace", "trainops: namespace " + namespace + " is not a "
                + "trainops team (teams: " + String.join(", ", s.teams()) + "); a " + kind + " runs and is billed in its team's namespace. "
                + "Apply it there, or add the team to config/quotas.yaml."));
    }

    private Verdict allowed(List<TrainingSpec> specs) {
        Verdict ok = Verdict.allow(List.of());
        if (facts.snapshot().asOf() == null) {
            return ok.warn("trainops is still reading budgets and quotas; the queue checks this job when it is submitted.");
        }
        for (TrainingSpec s : specs) {
            if (s.maxCostMicros() != null && facts.estimate(s.shape()).isEmpty()) {
                return ok.warn("trainops: " + s.model() + " has no run history and no time limit to price it by, so " + s.field()
                        + ".maxCost cannot be checked before it runs; it is stopped when its cost reaches it.");
            }
        }
        return ok;
    }

    /** The spec with its GPU type as the price list spells it; a type trainops does not price is refused, as the queue refuses it. */
    private TrainingSpec canonical(TrainingSpec s) {
        var list = prices.current(clock.instant());
        String type = s.gpuType() == null ? null : list.gpuType(s.gpuType()).orElseThrow(() -> new IllegalArgumentException(s.field()
                + ".gpuType is " + s.gpuType() + ", which trainops does not price; use one of " + String.join(", ", new java.util.TreeSet<>(list.gpuHour().keySet()))));
        return new TrainingSpec(s.field(), s.model(), s.runName(), s.team(), s.epochs(), s.batchSize(), s.gpuCount(), type, s.migProfile(),
                s.spot(), s.offPeak(), s.maxCostMicros());
    }

    /** A TrainingJob the controller writes for a job queued through MCP: labelled as trainops's, naming its job. */
    static boolean mirror(Map<?, ?> object) {
        Object metadata = object.get("metadata");
        Object l = metadata instanceof Map<?, ?> m ? m.get("labels") : null;
        return l instanceof Map<?, ?> labels && "trainops".equals(labels.get(KubeNames.LABEL_MANAGED_BY))
                && labels.get(KubeNames.LABEL_JOB_ID) != null;
    }

    static Map<String, String> annotations(Map<?, ?> object) {
        Object metadata = object.get("metadata");
        Object a = metadata instanceof Map<?, ?> m ? m.get("annotations") : null;
        Map<String, String> out = new java.util.HashMap<>();
        if (a instanceof Map<?, ?> map) {
            map.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        }
        return out;
    }
}
