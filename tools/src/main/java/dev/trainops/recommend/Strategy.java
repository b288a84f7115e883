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

    static Recommendations.Evidence evidence(String source, String observation) {
        return new Recommendations.Evidence(source, observation);
    }
}
