package dev.trainops.compare;

import dev.trainops.cost.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/** The modes of an option cheaper than the one asked for, as a note for compare_training_configs' answer. */
final class CheaperModes {
    private CheaperModes() {
    }

    /** "config 1 would cost $1.26 off-peak (from ...) (-50%), or $0.77 on spot (...) (-69%)": the modes cheaper than the one asked for. */
    static java.util.Optional<String> of(Comparison.Option o, java.util.Currency currency) {
        List<String> alternatives = new ArrayList<>();
        if (o.offPeak() != null && o.selected() != Comparison.Mode.OFF_PEAK) {
            alternative(currency, o.selectedCost(), o.offPeak().cost(), "off-peak (from " + o.offPeak().start() + ")").ifPresent(alternatives::add);
        }
        if (o.spot() != null && o.selected() != Comparison.Mode.SPOT) {
            alternative(currency, o.selectedCost(), o.spot().expectedCost(), "on spot (expected, interruptions included; needs checkpoints)")
                    .ifPresent(alternatives::add);
        }
        return alternatives.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(o.label() + " would cost " + String.join(", or ", alternatives) + ", instead of "
                        + new Money(o.selectedCost(), currency).display() + ".");
    }

    private static java.util.Optional<String> alternative(java.util.Currency currency, BigDecimal selected, BigDecimal other, String how) {
        if (selected.signum() == 0 || other.compareTo(selected) >= 0) {
            return java.util.Optional.empty();
        }
        BigDecimal percent = selected.subtract(other).multiply(BigDecimal.valueOf(100)).divide(selected, 0, RoundingMode.HALF_EVEN);
        return percent.compareTo(BigDecimal.ONE) < 0 ? java.util.Optional.empty()
                : java.util.Optional.of(new Money(other, currency).display() + " " + how + " (-" + percent + "%)");
    }
}
