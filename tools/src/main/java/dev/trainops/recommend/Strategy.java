package dev.trainops.recommend;

import dev.trainops.cost.Money;
import java.util.List;

/**
 * One way to make a run cheaper: a trigger on the run's evidence, and when it fires, the run with
 * the change priced by the same engine as the run itself, so the saving is their difference.
 */
interface Strategy {

    RecommendationType type();

    Verdict evaluate(RunFacts run, Costing costing);

    /** What a strategy concluded. */
    sealed interface Verdict permits Fired, Silent {
    }

    /**
     * It fired: {@code costAfter} is the run with the change; {@code durationSecondsAfter} is null
     * when the change does not alter the duration.
     */
    record Fired(String title, String trigger, String rationale, List<Recommendations.Evidence> evidence, Money costAfter,
                 Long durationSecondsAfter, String basis, Recommendations.Confidence confidence, Recommendations.Action action)
            implements Verdict {
        public Fired {
            evidence = List.copyOf(evidence);
        }
    }

    /** It stayed silent, and why (for the answer's {@code checked} list). */
    record Silent(String why) implements Verdict {
    }

    /**
     * Why a strategy that needs low utilisation stays silent: no utilisation samples, or a mean not
     * below {@code limit} percent ({@code because} says what that means for it); null when the
     * mean is below the limit and the strategy may go on.
     */
    static Silent unlessUtilizationBelow(RunFacts run, double limit, String because) {
        RunFacts.Utilization u = run.utilization;
        if (u == null) {
            return new Silent("No GPU utilisation metric (system/gpu_0_utilization_percentage).");
        }
        if (u.mean() >= limit) {
            return new Silent("Mean GPU utilisation " + RunFacts.percent(u.mean()) + " is not below " + RunFacts.percent(limit) + because);
        }
        return null;
    }

    static Recommendations.Evidence evidence(String source, String observation) {
        return new Recommendations.Evidence(source, observation);
    }
}
