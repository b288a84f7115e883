package dev.trainops.admission;

import dev.trainops.budget.BudgetState;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.cost.JobFootprint;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.gpu.GpuShares;
import dev.trainops.gpu.GpuTypes;
import dev.trainops.kube.KubeNames;
import dev.trainops.queue.Estimator;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GPU-requesting batch/v1 Job or Pod in a team's namespace that trainops did not create: it skips
 * the queue, so the review is its only check before it runs (docs/kubernetes.md, "The admission
 * webhook"). Refused: a GPU limit that differs from its request, a team whose budget is BLOCKED, GPUs
 * beyond the team's quota with what it holds now, an estimate above its {@code trainops.dev/max-cost}
 * annotation or the budget left, and a capped one with nothing to estimate it from. Its estimate
 * comes from its {@code trainops.dev/model} label and {@code trainops.dev/epochs} annotation (priced
 * from history), else from its {@code activeDeadlineSeconds} (the most it can cost). A Pod of a Job
 * is its Job's: reviewed when the Job was created, not again for each pod.
 */
final class WorkloadReview {
    static final String EPOCHS = KubeNames.ANNOTATION_EPOCHS;
    static final String BATCH_SIZE = KubeNames.ANNOTATION_BATCH_SIZE;

    private final CachedFacts facts;
    private final PriceBook prices;
    private final Clock clock;

    WorkloadReview(CachedFacts facts, PriceBook prices, Clock clock) {
        this.facts = facts;
        this.prices = prices;
        this.clock = clock;
    }

    Verdict review(String namespace, Workload w) {
        CachedFacts.Snapshot s = facts.snapshot();
        Map<String, Long> perPod = w.gpusPerPod();
        if (w.trainops() || w.ownedByJob() || perPod.values().stream().allMatch(n -> n == 0) || !s.teams().contains(namespace)) {
            return Verdict.allow(List.of());
        }
        String what = w.kind() + " " + w.name();
        Workload.Mismatch m = w.gpuLimitMismatch();
        if (m != null) {
            return Verdict.deny(Verdict.Reason.GPU_LIMIT_MISMATCH, m.field(), "trainops: container " + m.container() + " of " + what
                    + " requests " + m.request() + " " + m.resource() + " with " + (m.limit() == null ? "no limit" : "a limit of " + m.limit())
                    + "; a GPU limit must equal its request (a GPU is never shared beyond its request, and trainops bills and counts quota "
                    + "by it). Set both to " + m.request() + (m.limit() == null || m.limit() <= m.request() ? "" : ", or both to " + m.limit()) + ".");
        }
        CachedFacts.Team team = s.byTeam().get(namespace);
        BudgetStatus budget = team == null ? null : team.budget();
        Instant now = clock.instant();
        Priced priced;
        try {
            priced = price(w, perPod, now);
        } catch (IllegalArgumentException e) {
            return Verdict.deny(Verdict.Reason.INVALID, "metadata.annotations", "trainops: " + what + ": " + e.getMessage() + ".");
        }
        if (budget != null && budget.state() == BudgetState.BLOCKED) {
            return Verdict.deny(Verdict.Reason.BUDGET_BLOCKED, "metadata.namespace", "trainops: " + what + " is refused: " + Wording.blocked(budget)
                    + (priced == null ? "" : " It would cost " + (priced.atTimeLimit ? "at most " : "") + priced.cost.display() + "."
                    + CheaperOptions.sentence(priced.options(null), null, "Cheaper, once the budget allows")));
        }
        long wholeGpus = perPod.getOrDefault(KubeNames.GPU_RESOURCE, 0L) * w.podsAtOnce();
        if (team != null && team.gpuQuota() != null && wholeGpus > 0 && team.gpusInUse() + wholeGpus > team.gpuQuota()) {
            long room = Math.max(0, team.gpuQuota() - team.gpusInUse());
            return Verdict.deny(Verdict.Reason.OVER_GPU_QUOTA, w.specPath() + ".containers", "trainops: " + what + " asks for " + wholeGpus
                    + " GPUs (" + w.podsAtOnce() + " pod(s) of " + perPod.get(KubeNames.GPU_RESOURCE) + ") but team " + namespace + " uses "
                    + team.gpusInUse() + " of its quota of " + team.gpuQuota() + ", so " + room + " are free. Ask for at most " + room
                    + ", or submit it as a TrainingJob: the queue holds it until the GPUs free up instead of failing."
                    + (priced == null ? "" : " It would cost " + (priced.atTimeLimit ? "at most " : "") + priced.cost.display() + "."
                    + CheaperOptions.sentence(priced.options(null), null, "Cheaper")));
        }
        String capText = w.annotations().get(TrainingReview.MAX_COST_ANNOTATION);
        Long cap;
        try {
            cap = capText == null ? null : TrainingSpec.micros(capText, "the annotation " + TrainingReview.MAX_COST_ANNOTATION);
        } catch (IllegalArgumentException e) {
            return Verdict.deny(Verdict.Reason.INVALID, "metadata.annotations", "trainops: " + what + ": " + e.getMessage() + ".");
        }
        if (cap != null && priced == null) {
            return Verdict.deny(Verdict.Reason.NO_ESTIMATE, "metadata.labels", "trainops: " + what + " has a " + TrainingReview.MAX_COST_ANNOTATION
                    + " of " + Money.micros(cap, prices.currency()).display() + " but nothing to estimate its cost from. Add the label "
                    + KubeNames.LABEL_MODEL + " (a model with run history, e.g. llm) and the annotation " + EPOCHS + " (e.g. \"3\"), or set "
                    + (w.kind().equals("Job") ? "spec" : w.specPath()) + ".activeDeadlineSeconds (it is then priced as running that long, the "
                    + "most it can cost).");
        }
        if (priced != null && cap != null && priced.cost.toMicros() > cap) {
            Money fit = Money.micros(cap, prices.currency());
            return Verdict.deny(Verdict.Reason.OVER_MAX_COST, "metadata.annotations", "trainops: the estimated cost of " + what + ", "
                    + (priced.atTimeLimit ? "at most " : "") + priced.cost.display() + " (" + priced.basis + "), is above its "
                    + TrainingReview.MAX_COST_ANNOTATION + " of " + fit.display() + "." + CheaperOptions.sentence(priced.options(cap), fit,
                    "Cheaper options") + " Or raise the annotation.");
        }
        if (priced != null && budget != null && priced.cost.toMicros() > budget.remaining().movePointRight(Money.SCALE).longValue()) {
            long left = Math.max(0, budget.remaining().movePointRight(Money.SCALE).longValue());
            return Verdict.deny(Verdict.Reason.OVER_BUDGET, "metadata.namespace", "trainops: the estimated cost of " + what + ", "
                    + (priced.atTimeLimit ? "at most " : "") + priced.cost.display() + " (" + priced.basis + "), is above what is left of the "
                    + "budget: " + Wording.left(budget) + "." + CheaperOptions.sentence(priced.options(left), Money.micros(left, prices.currency()),
                    "Cheaper options"));
        }
        return Verdict.allow(List.of("trainops: " + what + " uses GPUs outside trainops's queue (no priority, no waiting for quota, no "
                + "cost cap unless annotated); a TrainingJob gets all three."));
    }

    /** What a workload is priced at, and how; the options are computed only for a denial. */
    private final class Priced {
        final Money cost;
        final String basis;
        final boolean atTimeLimit;
        final CachedFacts.Shape shape;
        final Estimator.Estimate estimate;
        final JobFootprint footprint;
        final long seconds;
        final Instant now;

        Priced(Estimator.Estimate estimate, CachedFacts.Shape shape, JobFootprint footprint, long seconds, Money cost, String basis, Instant now) {
            this.estimate = estimate;
            this.shape = shape;
            this.footprint = footprint;
            this.seconds = seconds;
            this.cost = cost;
            this.basis = basis;
            this.atTimeLimit = estimate == null;
            this.now = now;
        }

        List<String> options(Long allowedMicros) {
            return estimate != null ? CheaperOptions.fromHistory(facts, shape, estimate, allowedMicros)
                    : CheaperOptions.fromTimeLimit(facts, prices, footprint, seconds, now, cost, allowedMicros);
        }
    }

    /** From its model and epochs, else its time limit; null when it has neither (or nothing prices its GPU type). */
    private Priced price(Workload w, Map<String, Long> perPod, Instant now) {
        String model = w.labels().get(KubeNames.LABEL_MODEL);
        String epochsText = w.annotations().get(EPOCHS);
        String mig = perPod.keySet().stream().filter(k -> k.startsWith(KubeNames.MIG_RESOURCE_PREFIX))
                .map(k -> k.substring(KubeNames.MIG_RESOURCE_PREFIX.length())).findFirst().orElse(null);
        long units = perPod.values().stream().mapToLong(Long::longValue).sum() * w.podsAtOnce();
        String pinned = pinnedType(w.nodeSelector());
        boolean spot = prices.spotNodes().isSpot(w.nodeSelector());
        if (model != null && epochsText != null) {
            int epochs = positive(epochsText, "the annotation " + EPOCHS);
            String batchText = w.annotations().get(BATCH_SIZE);
            int batch = batchText == null ? 0 : positive(batchText, "the annotation " + BATCH_SIZE);
            CachedFacts.Shape shape = new CachedFacts.Shape(model, epochs, batch, pinned, mig, (int) Math.min(units, 64), spot, false);
            Optional<Estimator.Estimate> e = facts.estimate(shape);
            if (e.isPresent()) {
                return new Priced(e.get(), shape, null, 0, e.get().cost(), e.get().basis(), now);
            }
        }
        Long deadline = w.activeDeadlineSeconds();
        if (deadline == null || deadline <= 0) {
            return null;
        }
        String type = pinned != null ? pinned : facts.dearestType(now);
        if (type == null || prices.current(now).gpuHour().get(type) == null) {
            return null;
        }
        BigDecimal share = GpuShares.equivalents(perPod, Map.of()).multiply(BigDecimal.valueOf(w.podsAtOnce()));
        JobFootprint footprint = new JobFootprint(type, share, w.cpuCores().multiply(BigDecimal.valueOf(w.podsAtOnce())),
                w.memoryGib().multiply(BigDecimal.valueOf(w.podsAtOnce())));
        Money cost = prices.cost(footprint, now, deadline, false);
        return new Priced(null, null, footprint, deadline, cost, "activeDeadlineSeconds " + deadline + " s on " + type + (pinned != null ? ""
                : ", the dearest GPU type here, as it names no " + KubeNames.LABEL_GPU_PRODUCT), now);
    }

    private String pinnedType(Map<String, String> selector) {
        String product = selector.get(KubeNames.LABEL_GPU_PRODUCT);
        if (product == null) {
            return null;
        }
        long memory;
        try {
            memory = Long.parseLong(selector.getOrDefault(KubeNames.LABEL_GPU_MEMORY_MIB, "0"));
        } catch (NumberFormatException e) {
            memory = 0;
        }
        return GpuTypes.canonical(product, memory);
    }

    private static int positive(String text, String field) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " must be a whole number of at least 1 (got '" + text + "')");
        }
    }
}
