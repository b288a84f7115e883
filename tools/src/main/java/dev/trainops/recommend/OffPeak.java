package dev.trainops.recommend;

import dev.trainops.cost.Money;
import dev.trainops.cost.RateClass;
import dev.trainops.cost.TariffCalendar;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * OFF_PEAK: the job can wait (it is not URGENT) and ran, or is planned, at least partly at peak
 * rates. The same run started at the next off-peak window is priced by the tariff calendar; a run
 * longer than the window pays peak for the rest, which the pricing shows.
 */
final class OffPeak implements Strategy {

    @Override
    public RecommendationType type() {
        return RecommendationType.OFF_PEAK;
    }

    @Override
    public Verdict evaluate(RunFacts run, Costing costing) {
        if (run.job != null && "URGENT".equalsIgnoreCase(run.job.priority())) {
            return new Silent("Job " + run.job.jobId() + " is URGENT: it should not wait for off-peak hours.");
        }
        if (run.durationSeconds <= 0) {
            return new Silent("The run has no measured time to price.");
        }
        TariffCalendar calendar = costing.prices(run.start).calendar();
        if (calendar.offPeak().isEmpty() && !calendar.weekendsOffPeak()) {
            return new Silent("The price list has no off-peak window.");
        }
        long offPeak = costing.offPeakSeconds(run.start, run.durationSeconds);
        long peak = run.durationSeconds - offPeak;
        if (peak <= 0) {
            return new Silent("It ran entirely at off-peak rates.");
        }
        Instant shifted = calendar.nextOffPeak(run.start);
        Money after = costing.cost(shifted, run.durationSeconds);
        Instant nextWindow = calendar.nextOffPeak(endOfStretch(calendar, shifted));
        Money afterNext = costing.cost(nextWindow, run.durationSeconds);
        if (afterNext.compareTo(after) < 0) {
            shifted = nextWindow;
            after = afterNext;
        }
        Money baseline = costing.cost(run.start, run.durationSeconds);
        if (after.compareTo(baseline) >= 0) {
            return new Silent("Starting at an off-peak window would not make it cheaper (it is longer than the window).");
        }
        String windows = windows(calendar);
        String trigger = peak + " of " + run.durationSeconds + " s ran at peak rates; off-peak " + windows + " costs "
                + calendar.offPeakMultiplier().multiply(java.math.BigDecimal.valueOf(100)).stripTrailingZeros().toPlainString() + "% of peak";
        List<Recommendations.Evidence> evidence = new ArrayList<>();
        evidence.add(Strategy.evidence("run " + run.run.runName(), (run.running() ? "planned " : "ran ") + run.start + " to "
                + run.start.plusSeconds(run.durationSeconds) + ": " + peak + " s peak, " + offPeak + " s off-peak"));
        evidence.add(Strategy.evidence("price list " + costing.prices(run.start).version(), "off-peak " + windows + " in " + calendar.zone()
                + " at x" + calendar.offPeakMultiplier().stripTrailingZeros().toPlainString()));
        Recommendations.Confidence confidence;
        if (run.job != null) {
            evidence.add(Strategy.evidence("queue job " + run.job.jobId(), "priority " + run.job.priority() + ": it can wait"));
            confidence = Recommendations.Confidence.HIGH;
        } else {
            evidence.add(Strategy.evidence("run " + run.run.runName(), "no trainops job and no deadline recorded: assumed deferrable"));
            confidence = Recommendations.Confidence.MEDIUM;
        }
        Map<String, Object> args = run.queueArguments("offpeak");
        args.put("schedule", "off_peak");
        return new Fired("Run it off-peak (" + windows + " at " + calendar.offPeakMultiplier().multiply(java.math.BigDecimal.valueOf(100))
                .stripTrailingZeros().toPlainString() + "% of the price)", trigger,
                "The run " + (run.running() ? "is planned with " : "spent ") + peak + " s at peak rates. Started at " + shifted
                        + " it would cost " + after.display() + " instead of " + baseline.display() + ". Worth it when nobody waits for the "
                        + "result before then.",
                evidence, after, null, "The same run started at " + shifted + ", priced by the tariff calendar.", confidence,
                new Recommendations.Action("queue_training_job", args, "Queue the next run with schedule=off_peak. " + run.queueHint(args)));
    }

    /** The end of the off-peak stretch {@code t} is in (or {@code t} when it is at peak). */
    private static Instant endOfStretch(TariffCalendar calendar, Instant t) {
        Instant cursor = t;
        for (int i = 0; i < 8 && calendar.classAt(cursor) == RateClass.OFF_PEAK; i++) {
            cursor = calendar.nextBoundary(cursor);
        }
        return cursor;
    }

    private static String windows(TariffCalendar calendar) {
        List<String> out = new ArrayList<>();
        calendar.offPeak().forEach(w -> out.add(w.start() + "-" + w.end()));
        if (calendar.weekendsOffPeak()) {
            out.add("weekends");
        }
        return String.join(", ", out).toLowerCase(Locale.ROOT);
    }
}
